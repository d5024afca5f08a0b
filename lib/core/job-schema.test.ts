import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidJobError } from './errors.js';
import { parseSyncJob, serializeSyncJob } from './job-schema.js';
import type { SyncJob } from './ports.js';

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
        next: text,
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
});
