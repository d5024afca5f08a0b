import { describe, expect, it } from 'vitest';
import type { Mailbox } from './model.js';
import { parseMailbox } from './model-schema.js';

const stored: Mailbox = {
  mailboxId: 'alice@contoso.com',
  source: {
    kind: 'ews',
    smtpAddress: 'Alice@Contoso.com',
    endpoint: 'https://mail.contoso.com/EWS/Exchange.asmx',
  },
  credentialsRef: 'exchange-sync/tenant-a',
  folderFilter: { wellKnownNames: ['inbox'], kinds: ['mail'] },
  pageSize: 512,
  properties: ['subject'],
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
    const local = {
      ...stored,
      source: {
        kind: 'ews',
        smtpAddress: 'a@example.com',
        endpoint: 'http://127.0.0.1:8080/EWS/Exchange.asmx',
      },
      folderFilter: {},
    };
    expect(parseMailbox(local)).toEqual({ success: true, mailbox: local });
    const graph = {
      ...stored,
      source: {
        kind: 'graph',
        tenantId: 'contoso.onmicrosoft.com',
        userId: 'alice@contoso.com',
        baseUrl: 'https://graph.microsoft.com/v1.0',
      },
    };
    expect(parseMailbox(graph)).toEqual({ success: true, mailbox: graph });
  });

  it('names each problem by field, never by value', () => {
    const ews = stored.source as Extract<Mailbox['source'], { kind: 'ews' }>;
    const { endpoint: _endpoint, ...withoutEndpoint } = ews;
    expect(issuesOf({ ...stored, source: withoutEndpoint })).toEqual([
      expect.stringMatching(/^source\.endpoint: /),
    ]);
    expect(issuesOf({ ...stored, pageSize: 9999 })).toEqual(['pageSize: must be at most 512']);
    expect(issuesOf({ ...stored, pageSize: '512' })).toEqual([expect.stringMatching(/^pageSize: /)]);
    expect(issuesOf({ ...stored, maxConcurrentSyncs: 0 })).toEqual([
      'maxConcurrentSyncs: must be at least 1',
    ]);
    expect(issuesOf({ ...stored, source: { ...ews, endpoint: 'ftp://x.example/EWS' } })).toEqual([
      'source.endpoint: must be an http:// or https:// URL',
    ]);
    expect(issuesOf({ ...stored, source: { kind: 'imap' } })).toEqual([expect.stringMatching(/^source/)]);
    expect(
      issuesOf({
        ...stored,
        source: { kind: 'graph', tenantId: 't', userId: '../../x', baseUrl: 'https://g.example' },
      }),
    ).toEqual(['source.userId: must be a user principal name or object id']);
    expect(issuesOf({ ...stored, status: 'paused' })).toEqual([expect.stringMatching(/^status: /)]);
    expect(issuesOf({ ...stored, properties: ['subject', 'x;drop'] })).toEqual([
      expect.stringMatching(/^properties\.1: must be one of subject, from, /),
    ]);
    expect(issuesOf({ ...stored, folderFilter: { kinds: ['Note'] } })).toEqual([
      expect.stringMatching(/^folderFilter\.kinds\.0: must be one of mail, calendar/),
    ]);
    expect(issuesOf({ ...stored, source: { ...ews, smtpAddress: 'not-an-address' } })).toEqual([
      'source.smtpAddress: must be an SMTP address like user@example.com',
    ]);
    expect(issuesOf(null)).toEqual([expect.stringMatching(/^\(root\): /)]);
  });
});
