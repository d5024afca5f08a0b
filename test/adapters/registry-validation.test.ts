// The registry validates every row it reads with the schema of a stored Mailbox (the one the CLI
// applies to `mailbox add`): an invalid row is parked on `get` (the worker drops its jobs with the
// reason, without calling the server) and skipped on `list` (the tick goes on), never used.
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { toAttributeMap } from '../../lib/adapters/dynamodb/attribute-value.js';
import {
  DynamoMailboxRegistry,
  type InvalidMailboxRow,
  InvalidPageTokenError,
} from '../../lib/adapters/dynamodb/dynamo-mailbox-registry.js';
import type { CoreDeps } from '../../lib/core/deps.js';
import { fanOutTick } from '../../lib/core/schedule/fan-out-tick.js';
import { decodePageToken } from '../../lib/core/jobs/job-fields.js';
import type { Mailbox } from '../../lib/core/model.js';
import type { MailSource } from '../../lib/core/ports.js';
import { runSyncJob } from '../../lib/core/jobs/registry.js';
import { Harness } from '../../lib/core/testing/harness.js';
import { useLocalAws } from '../support/local-aws.js';

const local = useLocalAws();

function mailbox(n: number): Mailbox {
  return {
    mailboxId: `user${n}@example.com`,
    source: {
      kind: 'ews',
      smtpAddress: `user${n}@example.com`,
      endpoint: 'https://ews.example.com/EWS/Exchange.asmx',
    },
    credentialsRef: 'local:test',
    folderFilter: {},
    pageSize: 512,
    properties: [],
    maxConcurrentSyncs: 4,
    status: 'enabled',
    createdAt: 1,
    updatedAt: 1,
  };
}

/** Rows as someone with write access to the table might leave them (the CLI would refuse both). */
const withoutEndpoint = { ...mailbox(8), source: { kind: 'ews', smtpAddress: 'user8@example.com' } };
const INVALID_ROWS: Record<string, unknown>[] = [{ ...mailbox(7), pageSize: 9999 }, withoutEndpoint];

/** A mail source that must not be called: an invalid row is never synced. */
const noServer: MailSource = {
  syncItems: () => Promise.reject(new Error('the server was called')),
  syncHierarchy: () => Promise.reject(new Error('the server was called')),
  resolveWellKnownFolders: () => Promise.reject(new Error('the server was called')),
};

async function setUp(valid: number) {
  const { mailboxTable } = await local.tables();
  const warnings: InvalidMailboxRow[] = [];
  const registry = new DynamoMailboxRegistry(local.clients.dynamodb, mailboxTable, {
    onInvalidRow: (row) => warnings.push(row),
  });
  for (let n = 0; n < valid; n++) await registry.put(mailbox(n));
  for (const row of INVALID_ROWS) {
    await local.clients.dynamodb.send(
      new PutItemCommand({
        TableName: mailboxTable,
        Item: { ...toAttributeMap(row), pk: { S: String(row.mailboxId) }, sk: { S: '#mailbox' } },
      }),
    );
  }
  const harness = new Harness();
  const deps: CoreDeps = { ...harness.deps, registry, mailSource: noServer };
  return { registry, warnings, harness, deps };
}

describe('DynamoMailboxRegistry: rows are validated, not cast', () => {
  it('get: an invalid row comes back parked with the reason, and its page job is dropped', async () => {
    const { registry, warnings, harness, deps } = await setUp(1);
    expect(await registry.get('user0@example.com')).toEqual(mailbox(0));

    expect(await registry.get('user7@example.com')).toMatchObject({
      mailboxId: 'user7@example.com',
      status: 'parked',
      parkedReason: 'InvalidRegistryRow: pageSize: must be at most 512',
    });
    expect((await registry.get('user8@example.com'))?.parkedReason).toMatch(
      /^InvalidRegistryRow: source\.endpoint: /,
    );
    expect(warnings).toEqual([
      { mailboxId: 'user7@example.com', issues: ['pageSize: must be at most 512'], operation: 'get' },
      { mailboxId: 'user8@example.com', issues: [expect.stringMatching(/^source\.endpoint: /)], operation: 'get' },
    ]);

    for (const mailboxId of ['user7@example.com', 'user8@example.com']) {
      const job = { v: 1, type: 'hierarchy', mailboxId, jobId: `job-${mailboxId}`, expectVersion: 0, hop: 0 };
      const outcome = await runSyncJob(deps, job as Parameters<typeof runSyncJob>[1], harness.context());
      expect(outcome).toMatchObject({ outcome: 'dropped-parked', pages: 0, enqueued: 0 });
    }
    expect(harness.queue.drain()).toEqual([]);
  });

  it('list: invalid rows are skipped with a warning, so the tick fans out the valid mailboxes', async () => {
    const { registry, warnings, harness, deps } = await setUp(3);
    const seen: string[] = [];
    let next: string | undefined;
    do {
      const page = await registry.list({ limit: 2, next });
      seen.push(...page.mailboxes.map((m) => m.mailboxId));
      next = page.next;
    } while (next);
    expect(seen.sort()).toEqual(['user0@example.com', 'user1@example.com', 'user2@example.com']);
    expect(warnings.map((w) => [w.mailboxId, w.operation]).sort()).toEqual([
      ['user7@example.com', 'list'],
      ['user8@example.com', 'list'],
    ]);

    const outcome = await fanOutTick(deps, { remainingMs: () => 60_000 });
    expect(outcome).toMatchObject({ outcome: 'completed', mailboxesScanned: 3, hierarchyJobs: 3 });
    expect(
      harness.queue
        .drain()
        .map((entry) => (entry.job.type === 'hierarchy' ? entry.job.mailboxId : entry.job.type))
        .sort(),
    ).toEqual(['user0@example.com', 'user1@example.com', 'user2@example.com']);
  });

  it('list: a token of the right shape that DynamoDB refuses is an InvalidPageTokenError', async () => {
    // DynamoDB Local accepts any start key; AWS refuses e.g. a partition key over 2048 bytes with
    // a ValidationException, which the job schema cannot see coming.
    const refused = Object.assign(new Error('The provided starting key is invalid'), {
      name: 'ValidationException',
    });
    const client = { send: () => Promise.reject(refused) } as unknown as DynamoDBClient;
    const registry = new DynamoMailboxRegistry(client, 'mailboxes');
    const token = Buffer.from(JSON.stringify({ pk: 'x'.repeat(3000), sk: '#mailbox' })).toString('base64url');
    expect(decodePageToken(token)).toBeDefined();
    const error = await registry.list({ next: token }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidPageTokenError);
    expect((error as InvalidPageTokenError).cause).toBe(refused);
    // Without a token the same exception is not about a token: it stays what it is.
    await expect(registry.list()).rejects.toBe(refused);
    await expect(registry.list({ next: 'not-a-token' })).rejects.toBeInstanceOf(InvalidPageTokenError);
  });
});
