import { describe, expect, it } from 'vitest';
import type { Mailbox } from './model.js';
import { parseMailbox } from './model-schema.js';

const stored: Mailbox = {
  mailboxId: 'alice@contoso.com',
  smtpAddress: 'Alice@Contoso.com',
  endpoint: 'https://outlook.office365.com/EWS/Exchange.asmx',
  credentialsRef: 'exchange-sync/tenant-a',
  folderFilter: { distinguishedIds: ['inbox'], folderClasses: ['IPF.Note'] },
  pageSize: 512,
  properties: ['item:Subject'],
  maxConcurrentSyncs: 4,
  status: 'parked',
  parkedReason: 'parked by operator',
  backoffUntil: 5,
  createdAt: 1,
  updatedAt: 2,
};

function issuesOf(row: unknown): string[] {
  const result = parseMailbox(row);
  if (result.success) throw new Error('accepted');
  return result.issues;
}

describe('parseMailbox (a stored registry row)', () => {
  it('accepts a row as the CLI and the local run write it, dropping unknown attributes', () => {
    expect(parseMailbox({ ...stored, expiresAt: 9 })).toEqual({ success: true, mailbox: stored });
    const local = { ...stored, endpoint: 'http://127.0.0.1:8080/EWS/Exchange.asmx', folderFilter: {} };
    expect(parseMailbox(local)).toEqual({ success: true, mailbox: local });
  });

  it('names each problem by field, never by value', () => {
    const { endpoint: _endpoint, ...withoutEndpoint } = stored;
    expect(issuesOf(withoutEndpoint)).toEqual([expect.stringMatching(/^endpoint: /)]);
    expect(issuesOf({ ...stored, pageSize: 9999 })).toEqual(['pageSize: must be at most 512']);
    expect(issuesOf({ ...stored, pageSize: '512' })).toEqual([expect.stringMatching(/^pageSize: /)]);
    expect(issuesOf({ ...stored, maxConcurrentSyncs: 0 })).toEqual([
      'maxConcurrentSyncs: must be at least 1',
    ]);
    expect(issuesOf({ ...stored, endpoint: 'ftp://x.example/EWS' })).toEqual([
      'endpoint: must be an http:// or https:// URL',
    ]);
    expect(issuesOf({ ...stored, status: 'paused' })).toEqual([expect.stringMatching(/^status: /)]);
    expect(issuesOf({ ...stored, properties: ['item:Subject', 'x;drop'] })).toEqual([
      'properties.1: not a valid FieldURI (item:Subject, ...)',
    ]);
    expect(issuesOf({ ...stored, folderFilter: { folderClasses: ['Note'] } })).toEqual([
      'folderFilter.folderClasses.0: not a valid folder class (IPF.Note, ...)',
    ]);
    expect(issuesOf({ ...stored, smtpAddress: 'not-an-address' })).toEqual([
      'smtpAddress: must be an SMTP address like user@example.com',
    ]);
    expect(issuesOf(null)).toEqual([expect.stringMatching(/^\(root\): /)]);
  });
});
