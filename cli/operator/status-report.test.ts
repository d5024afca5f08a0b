import { describe, expect, it } from 'vitest';
import {
  coreConfig,
  HIERARCHY_CURSOR_ID,
  type Mailbox,
  newFolderCursor,
  newHierarchyCursor,
} from '../../lib/core/index.js';
import { formatDuration } from './render.js';
import { mailboxStatus } from './status-report.js';

const NOW = 10_000_000;
const MIN = 60_000;
const config = coreConfig({ stuckAfterMs: 15 * MIN });
const mailbox: Mailbox = {
  mailboxId: 'a@b.example',
  source: { kind: 'ews', smtpAddress: 'a@b.example', endpoint: 'https://e.example/EWS' },
  credentialsRef: 'local:a',
  folderFilter: {},
  pageSize: 512,
  properties: [],
  maxConcurrentSyncs: 4,
  status: 'enabled',
  backoffUntil: NOW - 1,
  createdAt: 0,
  updatedAt: 0,
};

describe('mailboxStatus', () => {
  it('has no lag before anything synced, and ignores a back-off that has passed', () => {
    const s = mailboxStatus(mailbox, [newFolderCursor('a@b.example', 'f', NOW)], NOW, config);
    expect(s).toMatchObject({ lagMs: undefined, neverSynced: 1, stuck: 0, backoffUntil: undefined });
  });

  it('calls a syncing cursor stuck only without a live lease and after stuckAfterMs', () => {
    const cursor = (folderId: string, updatedAt: number, leaseUntil?: number) =>
      newFolderCursor('a@b.example', folderId, updatedAt, {
        status: 'syncing',
        lease: leaseUntil === undefined ? undefined : { owner: 'o', jobId: 'j', until: leaseUntil },
      });
    const s = mailboxStatus(
      mailbox,
      [
        cursor('recent', NOW - 14 * MIN),
        cursor('old', NOW - 16 * MIN),
        cursor('leased', NOW - 60 * MIN, NOW + 1),
        { ...newHierarchyCursor('a@b.example', HIERARCHY_CURSOR_ID, NOW - 60 * MIN), status: 'syncing' },
      ],
      NOW,
      config,
    );
    expect(s.folderDetails.filter((f) => f.stuck).map((f) => f.folderId)).toEqual(['old']);
    expect(s.hierarchy?.stuck).toBe(true);
    expect(s.stuck).toBe(2);
    expect(s.inFlight).toBe(1);
    // The hierarchy is not a folder.
    expect(s.folders.syncing).toBe(3);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [59_000, '59s'],
    [5 * MIN, '5m'],
    [65 * MIN, '1h 5m'],
    [48 * 60 * MIN, '2d'],
  ])('%d ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
