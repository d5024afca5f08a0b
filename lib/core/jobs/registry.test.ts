import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidJobError } from '../errors.js';
import { decodePageToken } from './job-fields.js';
import { messageGroupOf, parseSyncJob, type SyncJob, serializeSyncJob } from './registry.js';

function reasonOf(body: string): string {
  try {
    parseSyncJob(body, 'm-1');
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidJobError);
    expect((error as InvalidJobError).messageId).toBe('m-1');
    return (error as InvalidJobError).reason;
  }
  throw new Error('expected InvalidJobError');
}

/** A registry page token as DynamoMailboxRegistry issues it: base64url JSON of the scan key. */
const pageToken = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

const fanout = {
  v: 1,
  type: 'fanout',
  jobId: 'j1',
  next: pageToken({ pk: 'user7@contoso.com', sk: '#mailbox' }),
  tickAt: 1,
  hop: 0,
};

const folder = {
  v: 1,
  type: 'folder',
  mailboxId: 'a@x',
  folderId: 'F1',
  jobId: 'j1',
  expectVersion: 3,
  hop: 0,
};

describe('parseSyncJob', () => {
  it('accepts every job type and round-trips through serializeSyncJob', () => {
    const nat = fc.nat({ max: 1_000_000 });
    const text = fc.string({ minLength: 1, maxLength: 20 });
    const job: fc.Arbitrary<SyncJob> = fc.oneof(
      fc.record(
        {
          v: fc.constant(1 as const),
          type: fc.constant('folder' as const),
          mailboxId: text,
          folderId: text,
          jobId: text,
          expectVersion: nat,
          hop: nat,
          attempt: nat,
        },
        { requiredKeys: ['v', 'type', 'mailboxId', 'folderId', 'jobId', 'expectVersion', 'hop'] },
      ),
      fc.record({
        v: fc.constant(1 as const),
        type: fc.constant('hierarchy' as const),
        mailboxId: text,
        jobId: text,
        expectVersion: nat,
        hop: nat,
      }),
      fc.record({
        v: fc.constant(1 as const),
        type: fc.constant('fanout' as const),
        jobId: text,
        next: fc.record({ pk: text, sk: text }).map(pageToken),
        tickAt: nat,
        hop: nat,
      }),
    );
    fc.assert(
      fc.property(job, (j) => {
        expect(parseSyncJob(serializeSyncJob(j))).toEqual(j);
      }),
    );
  });

  it('names the reason precisely', () => {
    expect(reasonOf('{not json')).toMatch(/^body is not JSON/);
    expect(reasonOf(JSON.stringify({ ...folder, folderId: undefined }))).toMatch(/^folderId: /);
    expect(reasonOf(JSON.stringify({ ...folder, expectVersion: -1 }))).toMatch(/^expectVersion: /);
    expect(reasonOf(JSON.stringify({ ...folder, hop: 1.5 }))).toMatch(/^hop: /);
    expect(reasonOf(JSON.stringify({ ...folder, v: 2 }))).toMatch(/^v: /);
    expect(reasonOf(JSON.stringify({ ...folder, type: 'mailbox' }))).toMatch(/^type: /);
    expect(reasonOf(JSON.stringify({ ...folder, mailboxId: '' }))).toMatch(/^mailboxId: /);
    expect(reasonOf(JSON.stringify({ ...folder, extra: 1 }))).toMatch(/extra/);
    expect(reasonOf('[]')).toMatch(/^\(root\): /);
    expect(reasonOf('null')).toMatch(/^\(root\): /);
  });

  it('refuses a fanout job whose next is not a registry page token, at parse time', () => {
    expect(parseSyncJob(JSON.stringify(fanout))).toEqual(fanout);
    const malformed = [
      'not-a-token', // base64url characters, but not JSON once decoded
      'abc$def', // not base64url
      `${fanout.next}=`, // padded: the registry never pads
      fanout.next.slice(0, 5), // a length base64 cannot have
      pageToken(['user7@contoso.com', '#mailbox']),
      pageToken({ pk: 'user7@contoso.com' }),
      pageToken({ pk: 7, sk: '#mailbox' }),
      pageToken({ pk: '', sk: '#mailbox' }),
      pageToken({ pk: 'user7@contoso.com', sk: '#mailbox', extra: 1 }),
      Buffer.from('{"pk":"\xff","sk":"#mailbox"}', 'latin1').toString('base64url'), // not UTF-8
      pageToken({ pk: 'x'.repeat(7000), sk: '#mailbox' }), // longer than any key
    ];
    for (const next of malformed) {
      expect(decodePageToken(next), next).toBeUndefined();
      expect(reasonOf(JSON.stringify({ ...fanout, next })), next).toMatch(/^next: not a registry page token/);
    }
    expect(reasonOf(JSON.stringify({ ...fanout, next: '' }))).toMatch(/^next: /);
  });

  it('decodes the tokens the registry issues, whatever the key holds', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 300 }), fc.string({ minLength: 1 }), (pk, sk) => {
        expect(decodePageToken(pageToken({ pk, sk }))).toEqual({ pk, sk });
      }),
    );
  });
});

describe('messageGroupOf', () => {
  it('groups page jobs by mailbox and scans apart from every mailbox', () => {
    const hierarchy = {
      v: 1,
      type: 'hierarchy',
      mailboxId: 'b@contoso.com',
      jobId: 'j2',
      expectVersion: 0,
      hop: 0,
    };
    expect(messageGroupOf(parseSyncJob(JSON.stringify(folder)))).toBe(folder.mailboxId);
    expect(messageGroupOf(parseSyncJob(JSON.stringify(hierarchy)))).toBe('b@contoso.com');
    expect(messageGroupOf(parseSyncJob(JSON.stringify(fanout)))).toBe('#fanout');
  });
});
