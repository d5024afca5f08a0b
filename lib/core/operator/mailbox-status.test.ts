import { describe, expect, it } from 'vitest';
import { coreConfig } from '../config.js';
import { newFolderCursor, newHierarchyCursor } from '../hierarchy/folder-cursors.js';
import { type FolderStop, HIERARCHY_CURSOR_ID } from '../model.js';
import { InMemoryCursorStore } from '../testing/in-memory-cursor-store.js';
import { InMemoryMailboxRegistry, testMailbox } from '../testing/in-memory-registry.js';
import { mailboxStatus, mailboxStatuses } from './mailbox-status.js';
import { MailboxNotRegisteredError } from './mailboxes.js';

const NOW = 10_000_000;
const MIN = 60_000;
const config = coreConfig({ stuckAfterMs: 15 * MIN });
const A = 'a@b.example';
const mailbox = testMailbox(A, { backoffUntil: NOW - 1 });

const stopped = (reason: FolderStop['reason']): FolderStop => ({
  reason,
  code: reason,
  at: 0,
  closedAtVersion: 1,
});

describe('mailboxStatus', () => {
  it('has no lag before anything synced, and ignores a back-off that has passed', () => {
    const s = mailboxStatus(mailbox, [newFolderCursor(A, 'f', NOW)], NOW, config);
    expect(s).toMatchObject({ lagMs: undefined, neverSynced: 1, stuck: 0, backoffUntil: undefined });
  });

  it('calls a syncing cursor stuck only without a live lease and after stuckAfterMs', () => {
    const cursor = (folderId: string, updatedAt: number, leaseUntil?: number) =>
      newFolderCursor(A, folderId, updatedAt, {
        status: 'syncing',
        lease: leaseUntil === undefined ? undefined : { owner: 'o', jobId: 'j', until: leaseUntil },
      });
    const s = mailboxStatus(
      mailbox,
      [
        cursor('recent', NOW - 14 * MIN),
        cursor('old', NOW - 16 * MIN),
        cursor('leased', NOW - 60 * MIN, NOW + 1),
        { ...newHierarchyCursor(A, HIERARCHY_CURSOR_ID, NOW - 60 * MIN), status: 'syncing' },
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

  it('measures the lag from the folder that synced longest ago, among those that still sync', () => {
    const s = mailboxStatus(
      testMailbox(A, { status: 'parked', parkedReason: 'audit', backoffUntil: NOW + MIN }),
      [
        newFolderCursor(A, 'inbox', NOW, { lastSyncedAt: NOW - 2 * MIN }),
        newFolderCursor(A, 'sent', NOW, { lastSyncedAt: NOW - 9 * MIN }),
        newFolderCursor(A, 'drafts', NOW),
        // Closed folders keep their last sync, but nothing waits on them any more.
        newFolderCursor(A, 'old', NOW, { stop: stopped('gone'), lastSyncedAt: NOW - 99 * MIN }),
        newFolderCursor(A, 'notes', NOW, { stop: stopped('excluded'), lastSyncedAt: NOW - 99 * MIN }),
      ],
      NOW,
      config,
    );
    expect(s).toMatchObject({
      status: 'parked',
      parkedReason: 'audit',
      backoffUntil: NOW + MIN,
      folders: { idle: 3, syncing: 0, gone: 1, excluded: 1 },
      oldestSyncAt: NOW - 9 * MIN,
      lastSyncedAt: NOW - 2 * MIN,
      lagMs: 9 * MIN,
      neverSynced: 1,
    });
  });

  it('lists the errors still recorded, most recent first, leaving out gone folders', () => {
    const error = (code: string, at: number) => ({ lastError: { code, message: code, at } });
    const s = mailboxStatus(
      mailbox,
      [
        newFolderCursor(A, 'inbox', NOW, error('ErrorServerBusy', NOW - 5 * MIN)),
        newFolderCursor(A, 'sent', NOW, error('HTTP_500', NOW - MIN)),
        newFolderCursor(A, 'old', NOW, { stop: stopped('gone'), ...error('ErrorItemNotFound', NOW) }),
      ],
      NOW,
      config,
    );
    expect(s.errors.map((e) => [e.folderId, e.code])).toEqual([
      ['sent', 'HTTP_500'],
      ['inbox', 'ErrorServerBusy'],
    ]);
  });
});

describe('mailboxStatuses', () => {
  async function stores(mailboxes: number) {
    const registry = new InMemoryMailboxRegistry();
    const cursors = new InMemoryCursorStore();
    for (let i = 0; i < mailboxes; i++) {
      const mailboxId = `m${String(i).padStart(3, '0')}@b.example`;
      await registry.put(testMailbox(mailboxId));
      await cursors.create(newFolderCursor(mailboxId, `inbox-${i}`, NOW, { lastSyncedAt: NOW - i }));
    }
    return { registry, cursors, config };
  }

  it('reports every registered mailbox across registry pages, each from its own cursors', async () => {
    const statuses = await mailboxStatuses(await stores(130), { kind: 'all' }, NOW);
    expect(statuses).toHaveLength(130);
    expect(statuses.map((s) => s.mailboxId)).toEqual([...statuses.map((s) => s.mailboxId)].sort());
    expect(statuses[7]).toMatchObject({ mailboxId: 'm007@b.example', lagMs: 7 });
    expect(statuses[7]!.folderDetails.map((f) => f.folderId)).toEqual(['inbox-7']);
  });

  it('reports one mailbox, and names one that is not registered', async () => {
    const deps = await stores(3);
    const [one] = await mailboxStatuses(deps, { kind: 'one', mailboxId: 'm002@b.example' }, NOW);
    expect(one).toMatchObject({ mailboxId: 'm002@b.example', smtpAddress: 'm002@b.example', lagMs: 2 });
    const unknown = mailboxStatuses(deps, { kind: 'one', mailboxId: 'x@b.example' }, NOW);
    await expect(unknown).rejects.toBeInstanceOf(MailboxNotRegisteredError);
    await expect(unknown).rejects.toMatchObject({ mailboxId: 'x@b.example' });
  });
});
