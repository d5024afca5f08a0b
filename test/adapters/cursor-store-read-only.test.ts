// DynamoCursorStore with `syncState: 'omit'`, and the scheduler Lambda built on it: a hierarchy
// SyncState spilled to S3 must not stop the tick (the scheduler has no bucket and no S3 grant).
import '../support/local-sdk-env.js';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { ENV } from '../../infra/resources.js';
import { toAttributeMap } from '../../lib/adapters/dynamodb/attribute-value.js';
import { DynamoCursorStore, SyncStateOmittedError } from '../../lib/adapters/dynamodb/dynamo-cursor-store.js';
import { DynamoMailboxRegistry } from '../../lib/adapters/dynamodb/dynamo-mailbox-registry.js';
import type { SyncStateSpill } from '../../lib/adapters/s3/s3-sync-state-store.js';
import { type Cursor, HIERARCHY_CURSOR_ID, type Mailbox } from '../../lib/core/model.js';
import { localClientSettings, standInSeams } from '../../local/container.js';
import { createLambdaContext, createLocalAwsClients, LOCAL_REGION } from '../../local/index.js';
import { useLocalAws } from '../support/local-aws.js';
import { testCursor } from '../support/store-fixtures.js';

const local = useLocalAws();

const HOUR = 3_600_000;

/** A cursor row as the normal store leaves it after spilling: a reference, no inline state. */
async function putSpilledRow(client: DynamoDBClient, table: string, cursor: Cursor): Promise<void> {
  const { syncState: _inline, ...fields } = cursor;
  await client.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        ...toAttributeMap(fields),
        syncStateRef: { M: toAttributeMap({ bucket: 'state-bucket', key: `${cursor.mailboxId}/x/1-abc` }) },
        pk: { S: cursor.mailboxId },
        sk: { S: cursor.folderId },
      },
    }),
  );
}

/** A spill that fails the test if anything asks it for a SyncState. */
const untouchableSpill: SyncStateSpill = {
  put: () => Promise.reject(new Error('the state bucket was written')),
  get: () => Promise.reject(new Error('the state bucket was read')),
  delete: () => Promise.reject(new Error('the state bucket was written')),
};

function mailbox(mailboxId: string): Mailbox {
  return {
    mailboxId,
    source: { kind: 'ews', smtpAddress: mailboxId, endpoint: 'https://ews.example.com/EWS/Exchange.asmx' },
    credentialsRef: 'exchange-sync/tenant-a',
    folderFilter: { kinds: ['mail'] },
    pageSize: 512,
    properties: [],
    maxConcurrentSyncs: 4,
    status: 'enabled',
    createdAt: 1,
    updatedAt: 1,
  };
}

describe("DynamoCursorStore with syncState: 'omit'", () => {
  it('reads a cursor whose SyncState is spilled without the bucket, where the normal store needs it', async () => {
    const { cursorTable } = await local.tables();
    const stored = testCursor({ version: 7, lease: { owner: 'w', jobId: 'j', until: 5 }, lastSyncedAt: 3 });
    await putSpilledRow(local.clients.dynamodb, cursorTable, stored);

    const normal = new DynamoCursorStore(local.clients.dynamodb, cursorTable);
    await expect(normal.get(stored.mailboxId, stored.folderId)).rejects.toThrow(
      /spilled SyncState but no state bucket is configured/,
    );

    const readOnly = new DynamoCursorStore(local.clients.dynamodb, cursorTable, { syncState: 'omit' });
    const { syncState: _none, ...withoutState } = stored;
    expect(await readOnly.get(stored.mailboxId, stored.folderId)).toEqual(withoutState);
    expect(await readOnly.listByMailbox(stored.mailboxId)).toEqual([withoutState]);
    expect(await readOnly.get(stored.mailboxId, 'no-such-folder')).toBeUndefined();
  });

  it('projects syncState and syncStateRef away: neither inline bytes nor S3 are read', async () => {
    const { cursorTable } = await local.tables();
    const clients = createLocalAwsClients(local.aws.endpoints);
    const requests: Record<string, unknown>[] = [];
    clients.dynamodb.middlewareStack.add(
      (next) => async (args) => {
        requests.push(args.input as Record<string, unknown>);
        return next(args);
      },
      { step: 'initialize' },
    );
    try {
      const inline = testCursor({ folderId: 'inline', syncState: 'S'.repeat(100_000) });
      await new DynamoCursorStore(local.clients.dynamodb, cursorTable).create(inline);
      await putSpilledRow(local.clients.dynamodb, cursorTable, testCursor({ folderId: 'spilled' }));
      const readOnly = new DynamoCursorStore(clients.dynamodb, cursorTable, {
        syncState: 'omit',
        spill: untouchableSpill,
      });

      const read = await readOnly.get(inline.mailboxId, 'inline');
      expect(read).toMatchObject({ folderId: 'inline', version: inline.version });
      expect(read).not.toHaveProperty('syncState');
      const listed = await readOnly.listByMailbox(inline.mailboxId);
      expect(listed.map((c) => c.folderId).sort()).toEqual(['inline', 'spilled']);
      for (const c of listed) expect(c).not.toHaveProperty('syncState');

      expect(requests.length).toBeGreaterThanOrEqual(2);
      for (const input of requests) {
        const projected = Object.values(input.ExpressionAttributeNames as Record<string, string>);
        expect(input.ProjectionExpression).toBeTypeOf('string');
        expect(projected).toContain('version');
        expect(projected).toContain('lease');
        expect(projected).not.toContain('syncState');
        expect(projected).not.toContain('syncStateRef');
      }
    } finally {
      clients.destroy();
    }
  });

  it('refuses to write back a cursor it read without its SyncState, and still creates cursors', async () => {
    const { cursorTable } = await local.tables();
    const readOnly = new DynamoCursorStore(local.clients.dynamodb, cursorTable, { syncState: 'omit' });
    const fresh = testCursor({ folderId: HIERARCHY_CURSOR_ID, kind: 'hierarchy' });
    expect(await readOnly.create(fresh)).toBe(true);
    expect(await readOnly.create(fresh)).toBe(false);

    const read = (await readOnly.get(fresh.mailboxId, fresh.folderId))!;
    const replaced = readOnly.replace(read, { ...read, version: read.version + 1, status: 'syncing' });
    await expect(replaced).rejects.toBeInstanceOf(SyncStateOmittedError);
    await expect(replaced).rejects.toThrow(/without their SyncState/);
    // Nothing was written.
    const normal = new DynamoCursorStore(local.clients.dynamodb, cursorTable);
    expect(await normal.get(fresh.mailboxId, fresh.folderId)).toEqual(fresh);
  });
});

describe('the scheduler Lambda', () => {
  it('ticks every due mailbox although one hierarchy SyncState is spilled and no bucket is configured', async () => {
    const res = await local.resources();
    const registry = new DynamoMailboxRegistry(local.clients.dynamodb, res.mailboxTable);
    const spilled = 'spilled@example.com';
    const plain = 'plain@example.com';
    await registry.put(mailbox(spilled));
    await registry.put(mailbox(plain));
    const now = Date.now();
    const hierarchy = (mailboxId: string): Cursor =>
      testCursor({
        mailboxId,
        folderId: HIERARCHY_CURSOR_ID,
        kind: 'hierarchy',
        version: 4,
        pages: 3,
        lastSyncedAt: now - HOUR,
        updatedAt: now - HOUR,
      });
    await putSpilledRow(local.clients.dynamodb, res.cursorTable, hierarchy(spilled));
    await new DynamoCursorStore(local.clients.dynamodb, res.cursorTable).create({
      ...hierarchy(plain),
      syncState: 'small',
    });

    // The environment the stack gives the scheduler: no state bucket, no dead-letter queue. The
    // Lambda entry reads it when it loads.
    const saved = { ...process.env };
    onTestFinished(() => {
      process.env = saved;
    });
    Object.assign(process.env, {
      [ENV.mailboxTable]: res.mailboxTable,
      [ENV.cursorTable]: res.cursorTable,
      [ENV.itemTable]: res.itemTable,
      [ENV.syncQueueUrl]: res.queueUrl,
    });
    delete process.env[ENV.stateBucket];
    delete process.env[ENV.deadLetterQueueUrl];
    // The production container reads no stand-in endpoint (it has no local seam): its SDK clients
    // are pointed at DynamoDB Local and fauxqs as the local builder points them; all else is the
    // Lambda's own wiring.
    vi.doMock('../../lib/app/aws-clients.js', async (importOriginal) => {
      const real = await importOriginal<typeof import('../../lib/app/aws-clients.js')>();
      const settings = localClientSettings(standInSeams(local.aws.endpoints));
      return { ...real, buildAwsClients: () => real.buildAwsClients(settings) };
    });
    onTestFinished(() => {
      vi.doUnmock('../../lib/app/aws-clients.js');
    });
    const { handler } = await import('../../functions/scheduler.js');

    const outcome = await handler(
      {},
      createLambdaContext({
        functionName: 'exchange-sync-scheduler',
        timeoutMs: 60_000,
        memoryMb: 512,
        region: LOCAL_REGION,
      }),
    );
    expect(outcome).toMatchObject({ outcome: 'completed', hierarchyJobs: 2 });

    const { Messages = [] } = await local.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: res.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const jobs = Messages.map((m) => JSON.parse(m.Body!) as { type: string; mailboxId: string });
    expect(jobs.map((j) => [j.type, j.mailboxId]).sort()).toEqual([
      ['hierarchy', plain],
      ['hierarchy', spilled],
    ]);
    expect(jobs.find((j) => j.mailboxId === spilled)).toMatchObject({ expectVersion: 4 });
  });
});
