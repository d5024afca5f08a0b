import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { TOMBSTONE_TTL_SECONDS } from '../../infra/resources.js';
import { CLOSED_FOLDER_SK } from '../../lib/adapters/dynamodb/closed-folder-guard.js';
import { DynamoCursorStore } from '../../lib/adapters/dynamodb/dynamo-cursor-store.js';
import { DynamoItemMirror, partitionKey } from '../../lib/adapters/dynamodb/dynamo-item-mirror.js';
import {
  DynamoMailboxRegistry,
  InvalidPageTokenError,
} from '../../lib/adapters/dynamodb/dynamo-mailbox-registry.js';
import {
  DEFAULT_SPILL_THRESHOLD_BYTES,
  MAX_INLINE_SYNC_STATE_BYTES,
  SyncStateTooLargeError,
} from '../../lib/adapters/dynamodb/sync-state-placement.js';
import { S3SyncStateStore } from '../../lib/adapters/s3/s3-sync-state-store.js';
import type { Cursor, Mailbox } from '../../lib/core/model.js';
import { StaleCursorError } from '../../lib/core/ports.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/local-aws-clients.js';
import { useLocalAws } from '../support/local-aws.js';
import { createChange, testCursor as cursor, mirrorWriteAt } from '../support/store-fixtures.js';

const local = useLocalAws();

function mailbox(n: number, fields: Partial<Mailbox> = {}): Mailbox {
  return {
    mailboxId: `user${n}@example.com`,
    source: {
      kind: 'ews',
      smtpAddress: `user${n}@example.com`,
      endpoint: 'https://ews.example.com/EWS/Exchange.asmx',
    },
    credentialsRef: 'local:test',
    folderFilter: { kinds: ['mail'], wellKnownNames: ['inbox'] },
    pageSize: 512,
    properties: ['subject'],
    maxConcurrentSyncs: 4,
    status: 'enabled',
    createdAt: 1,
    updatedAt: 1,
    ...fields,
  };
}

describe('DynamoMailboxRegistry', () => {
  const registry = async () =>
    new DynamoMailboxRegistry(local.clients.dynamodb, (await local.tables()).mailboxTable);

  it('stores mailboxes and lists them in pages, without slot rows', async () => {
    const r = await registry();
    for (let n = 0; n < 7; n++) await r.put(mailbox(n));
    await r.acquireSlot('user0@example.com', 4, 'w', 10_000, 0);
    expect(await r.get('user3@example.com')).toEqual(mailbox(3));
    expect(await r.get('nobody@example.com')).toBeUndefined();

    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const page = await r.list({ limit: 3, next });
      expect(page.mailboxes.length).toBeLessThanOrEqual(3);
      seen.push(...page.mailboxes.map((m) => m.mailboxId));
      next = page.next;
      pages++;
    } while (next);
    expect(seen.sort()).toEqual(Array.from({ length: 7 }, (_, n) => `user${n}@example.com`));
    expect(pages).toBeGreaterThanOrEqual(3);
    await expect(r.list({ next: 'not-a-token' })).rejects.toBeInstanceOf(InvalidPageTokenError);
  });

  it('only ever moves a back-off forward, and parks with a reason', async () => {
    const r = await registry();
    await r.put(mailbox(1));
    await r.extendBackoff('user1@example.com', 5000);
    await r.extendBackoff('user1@example.com', 3000);
    expect((await r.get('user1@example.com'))?.backoffUntil).toBe(5000);
    await r.extendBackoff('user1@example.com', 9000);
    expect((await r.get('user1@example.com'))?.backoffUntil).toBe(9000);

    await r.extendBackoff('ghost@example.com', 9000);
    expect(await r.get('ghost@example.com')).toBeUndefined();

    await r.park('user1@example.com', 'ErrorNonExistentMailbox', 42);
    expect(await r.get('user1@example.com')).toMatchObject({
      status: 'parked',
      parkedReason: 'ErrorNonExistentMailbox',
      updatedAt: 42,
    });

    // Unparking touches the status only: the back-off a worker set meanwhile stays.
    await r.extendBackoff('user1@example.com', 12_000);
    await r.unpark('user1@example.com', 43);
    const unparked = await r.get('user1@example.com');
    expect(unparked).toMatchObject({ status: 'enabled', backoffUntil: 12_000, updatedAt: 43 });
    expect(unparked?.parkedReason).toBeUndefined();
  });

  it('hands out at most max slots to concurrent acquirers, and expired slots again', async () => {
    const r = await registry();
    const id = 'user1@example.com';
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) => r.acquireSlot(id, 4, `owner${n}`, 10_000, 1000)),
    );
    const taken = results.filter((s) => s !== undefined);
    expect(taken.sort()).toEqual([0, 1, 2, 3]);
    expect(await r.acquireSlot(id, 4, 'late', 10_000, 9_999)).toBeUndefined();

    // A slot whose lease ran out is free for the next one.
    expect(await r.acquireSlot(id, 4, 'after-expiry', 20_000, 10_000)).toBeTypeOf('number');

    // Only the holder releases; then one slot is free again.
    const holder = results.findIndex((s) => s !== undefined);
    const held = results[holder]!;
    const fresh = await registry();
    await fresh.acquireSlot(id, 1, 'x', 10_000, 0);
    await fresh.releaseSlot(id, 0, 'not-x');
    expect(await fresh.acquireSlot(id, 1, 'y', 10_000, 0)).toBeUndefined();
    await fresh.releaseSlot(id, 0, 'x');
    expect(await fresh.acquireSlot(id, 1, 'y', 10_000, 0)).toBe(0);
    expect(held).toBeTypeOf('number');
  });

  it('leaves a slot held under the claim name of a job to that job, even when the mailbox is full', async () => {
    const r = await registry();
    const id = 'user-handoff@example.com';
    const slot = (await r.acquireSlot(id, 2, 'follow-up:j2', 20_000, 0))!;
    expect(await r.acquireSlot(id, 2, 'other', 10_000, 0)).toBeTypeOf('number');
    // Full now: strangers wait, the follow-up takes the slot reserved for it.
    expect(await r.acquireSlot(id, 2, 'stranger', 10_000, 0, 'follow-up:j3')).toBeUndefined();
    expect(await r.acquireSlot(id, 2, 'page-2', 10_000, 0, 'follow-up:j2')).toBe(slot);
    // Claimed once: the reservation is gone.
    expect(await r.acquireSlot(id, 2, 'again', 10_000, 0, 'follow-up:j2')).toBeUndefined();
  });

  it('removes a mailbox with its slots', async () => {
    const r = await registry();
    await r.put(mailbox(1));
    await r.acquireSlot('user1@example.com', 2, 'w', 10_000, 0);
    await r.remove('user1@example.com');
    expect(await r.get('user1@example.com')).toBeUndefined();
    expect(await r.acquireSlot('user1@example.com', 1, 'v', 10_000, 0)).toBe(0);
  });
});

describe('DynamoCursorStore', () => {
  async function store(spillThresholdBytes?: number) {
    const res = await local.resources();
    const spill = new S3SyncStateStore(local.clients.s3, res.stateBucket);
    return {
      res,
      spill,
      cursors: new DynamoCursorStore(local.clients.dynamodb, res.cursorTable, { spill, spillThresholdBytes }),
      objects: async () =>
        (await local.clients.s3.send(new ListObjectsV2Command({ Bucket: res.stateBucket }))).Contents?.map(
          (o) => o.Key!,
        ) ?? [],
      rawRow: async (c: Cursor) =>
        (
          await local.clients.dynamodb.send(
            new GetItemCommand({
              TableName: res.cursorTable,
              Key: { pk: { S: c.mailboxId }, sk: { S: c.folderId } },
            }),
          )
        ).Item,
    };
  }

  it('spills big SyncStates to S3, reads them back, and deletes superseded ones', async () => {
    const { cursors, objects, rawRow, res, spill } = await store(1000);
    const big1 = 'A'.repeat(5000);
    const big2 = 'B'.repeat(6000);
    const c0 = cursor({ syncState: big1 });
    await cursors.create(c0);
    expect((await cursors.get(c0.mailboxId, c0.folderId))?.syncState).toBe(big1);
    const row = await rawRow(c0);
    expect(row?.syncState).toBeUndefined();
    expect(row?.syncStateRef?.M?.key?.S).toMatch(/^a%40example\.com\/AAMkAD%2Ffolder%2B1%3D\/1-/);
    const [first] = await objects();

    // A lease (same SyncState) keeps the object: nothing uploaded, nothing deleted.
    const leased = { ...c0, version: 2, lease: { owner: 'w', jobId: 'j', until: 1 } };
    await cursors.replace(c0, leased);
    expect(await objects()).toEqual([first]);
    expect((await cursors.listByMailbox(c0.mailboxId))[0]?.syncState).toBe(big1);
    // So does a store that only read the row (another container).
    const other = new DynamoCursorStore(local.clients.dynamodb, res.cursorTable, {
      spill,
      spillThresholdBytes: 1000,
    });
    const read = (await other.get(c0.mailboxId, c0.folderId))!;
    const released = { ...read, version: 3, lease: undefined };
    await other.replace(read, released);
    expect(await objects()).toEqual([first]);
    // A writer whose expected row is not the stored one (same state, older version) is refused
    // and leaves the object alone.
    await expect(cursors.replace(leased, { ...leased, version: 3 })).rejects.toBeInstanceOf(StaleCursorError);
    expect(await objects()).toEqual([first]);
    expect((await cursors.get(c0.mailboxId, c0.folderId))?.syncState).toBe(big1);

    // A new big state replaces the object.
    const advanced = { ...released, version: 4, syncState: big2 };
    await cursors.replace(released, advanced);
    const after = await objects();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(first);
    expect((await cursors.get(c0.mailboxId, c0.folderId))?.syncState).toBe(big2);

    // A stale writer's upload is cleaned up too.
    await expect(
      cursors.replace(c0, { ...c0, version: 2, syncState: 'C'.repeat(7000) }),
    ).rejects.toBeInstanceOf(StaleCursorError);
    expect(await objects()).toEqual(after);
    expect(await objects()).toEqual(after);

    // Back to a small state: inline again, no object left.
    await cursors.replace(advanced, { ...advanced, version: 5, syncState: 'small' });
    expect(await objects()).toEqual([]);
    expect((await rawRow(c0))?.syncState?.S).toBe('small');
  });

  it('keeps a real 350 KB SyncState (over the DynamoDB item limit with the default threshold)', async () => {
    const { cursors } = await store();
    const state = 'x'.repeat(350 * 1024);
    await cursors.create(cursor({ syncState: state }));
    expect((await cursors.get('a@example.com', 'AAMkAD/folder+1='))?.syncState).toBe(state);
  });

  it.each([
    ['its answer is lost', 'lost-answer'],
    ["the SDK's retry of it fails its condition", 'sdk-retry'],
  ] as const)('never deletes the object a row points at when a write lands and %s', async (_, mode) => {
    const { res, spill, objects } = await store();
    // The next UpdateItem lands, then fails as a lost answer would, or is sent again (as the SDK
    // does after a lost answer), whose condition then fails.
    let armed = false;
    const real = local.clients.dynamodb;
    const client = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (command: UpdateItemCommand) => {
          const result = await target.send(command);
          if (!armed || !(command instanceof UpdateItemCommand)) return result;
          armed = false;
          if (mode === 'lost-answer')
            throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
          return target.send(command);
        };
      },
    });
    const cursors = new DynamoCursorStore(client, res.cursorTable, { spill });
    const c0 = cursor({ syncState: 'A'.repeat(DEFAULT_SPILL_THRESHOLD_BYTES + 1) });
    await cursors.create(c0);
    const next = { ...c0, version: 2, syncState: 'B'.repeat(DEFAULT_SPILL_THRESHOLD_BYTES + 1) };
    armed = true;
    await expect(cursors.replace(c0, next)).rejects.toThrow();
    const reader = new DynamoCursorStore(real, res.cursorTable, { spill });
    expect(await reader.get(c0.mailboxId, c0.folderId)).toMatchObject({
      version: 2,
      syncState: next.syncState,
    });
    expect(await reader.listByMailbox(c0.mailboxId)).toHaveLength(1);
    expect(await objects()).toHaveLength(2); // the new one, and the old one left as an orphan
  });

  it('moves a SyncState over 8 KB to the bucket, where rewriting it costs one PUT, not a write unit a KB', async () => {
    const { cursors, objects, rawRow } = await store();
    const atThreshold = cursor({ syncState: 's'.repeat(DEFAULT_SPILL_THRESHOLD_BYTES) });
    await cursors.create(atThreshold);
    expect((await rawRow(atThreshold))?.syncState?.S).toHaveLength(DEFAULT_SPILL_THRESHOLD_BYTES);
    const over = cursor({ folderId: 'other', syncState: 's'.repeat(DEFAULT_SPILL_THRESHOLD_BYTES + 1) });
    await cursors.create(over);
    expect((await rawRow(over))?.syncState).toBeUndefined();
    expect(await objects()).toHaveLength(1);
  });

  it('keeps a SyncState in its row up to the item limit without a state bucket, and refuses one above', async () => {
    const res = await local.resources();
    const cursors = new DynamoCursorStore(local.clients.dynamodb, res.cursorTable);
    const inRow = 'x'.repeat(64 * 1024);
    await cursors.create(cursor({ syncState: inRow }));
    expect((await cursors.get('a@example.com', 'AAMkAD/folder+1='))?.syncState).toBe(inRow);
    await expect(
      cursors.create(cursor({ folderId: 'big', syncState: 'x'.repeat(MAX_INLINE_SYNC_STATE_BYTES + 1) })),
    ).rejects.toBeInstanceOf(SyncStateTooLargeError);
  });
});

describe.each(['item', 'transaction'] as const)('DynamoItemMirror (%s writes)', (writeMode) => {
  const folder = { mailboxId: 'a@example.com', folderId: 'inbox' };
  const at = (pageVersion: number, generation = 0, now = 1_000_000) =>
    mirrorWriteAt(pageVersion, generation, now);
  const create = createChange;

  async function mirror(client: DynamoDBClient = local.clients.dynamodb) {
    const res = await local.tables();
    const m = new DynamoItemMirror(client, res.itemTable, { writeMode });
    const raw = async (itemId: string) =>
      (
        await local.clients.dynamodb.send(
          new GetItemCommand({
            TableName: res.itemTable,
            Key: { pk: { S: partitionKey(folder.mailboxId, folder.folderId) }, sk: { S: itemId } },
          }),
        )
      ).Item;
    return { m, raw, res };
  }

  // The port-level rules run over every ItemMirror in test/contracts/item-mirror.contract.ts; here
  // only what the rows look like in DynamoDB.
  it('tombstones carry no content and expire, and a close leaves an expiring marker', async () => {
    const { m, raw } = await mirror();
    await m.apply(at(5), [create('i1', 'k5', { isRead: true }), create('i2', 'k5', { isRead: false })]);
    expect((await raw('i1'))?.expiresAt).toBeUndefined();
    expect(await m.apply(at(6), [{ kind: 'delete', itemId: 'i1' }])).toMatchObject({ written: 1 });
    const tombstone = await raw('i1');
    expect(tombstone?.deleted?.BOOL).toBe(true);
    expect(tombstone?.changeKey?.S).toBe('k5');
    expect(tombstone?.props?.M).toEqual({});
    expect(tombstone?.isRead).toBeUndefined();
    expect(Number(tombstone?.expiresAt?.N)).toBe(1000 + TOMBSTONE_TTL_SECONDS);

    expect(await m.tombstoneFolder(at(7, 0, 2_000_000))).toBe(1);
    const closed = await raw('i2');
    expect(closed?.deleted?.BOOL).toBe(true);
    expect(closed?.pageVersion?.N).toBe('7');
    expect(closed?.props?.M).toEqual({});
    expect(closed?.isRead).toBeUndefined();
    expect(Number(closed?.expiresAt?.N)).toBe(2000 + TOMBSTONE_TTL_SECONDS);
    const marker = await raw(CLOSED_FOLDER_SK);
    expect(marker?.closedVersion?.N).toBe('7');
    expect(Number(marker?.expiresAt?.N)).toBe(2000 + TOMBSTONE_TTL_SECONDS);
    // The marker is no item.
    expect(await m.listLive(folder.mailboxId, folder.folderId)).toEqual([]);
  });

  it('counts a row a newer page wrote between our read and our write as fenced, and writes the rest', async () => {
    // A client that lets another writer put a newer row of i2 right before our first write.
    const client = new DynamoDBClient({
      endpoint: local.aws.endpoints.dynamodb,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    let table = '';
    let raced = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (!raced && /^(PutItem|TransactWriteItems)Command$/.test(context.commandName ?? '')) {
          raced = true;
          await local.clients.dynamodb.send(
            new PutItemCommand({
              TableName: table,
              Item: {
                pk: { S: partitionKey(folder.mailboxId, folder.folderId) },
                sk: { S: 'i2' },
                mailboxId: { S: folder.mailboxId },
                folderId: { S: folder.folderId },
                itemId: { S: 'i2' },
                changeKey: { S: 'newer' },
                itemType: { S: 'Message' },
                props: { M: {} },
                pageVersion: { N: '9' },
                generation: { N: '0' },
                deleted: { BOOL: false },
                updatedAt: { N: '1' },
              },
            }),
          );
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const { m, res } = await mirror(client);
    table = res.itemTable;
    expect(
      await m.apply(
        at(3),
        ['i1', 'i2', 'i3'].map((id) => create(id, 'k3')),
      ),
    ).toEqual({
      written: 2,
      unchanged: 0,
      fenced: 1,
    });
    client.destroy();
    const live = await m.listLive(folder.mailboxId, folder.folderId);
    expect(live.map((i) => [i.itemId, i.changeKey])).toEqual([
      ['i1', 'k3'],
      ['i2', 'newer'],
      ['i3', 'k3'],
    ]);
  });
});
