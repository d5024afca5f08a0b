// The fault injectors and invariant recorders of the pipeline tests must be able to fail: a kill
// stops the invocation for good; a lowered version, a stored cursor row other than the written
// one, an older ChangeKey, a resurrected row and a write behind the watcher's back are reported.
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoCursorStore } from '../../lib/adapters/dynamodb/dynamo-cursor-store.js';
import { DynamoItemMirror } from '../../lib/adapters/dynamodb/dynamo-item-mirror.js';
import type { CoreDeps, Cursor, CursorStore, ItemChange, MirrorWrite } from '../../lib/core/index.js';
import { InMemoryCursorStore } from '../../lib/core/testing/in-memory-cursor-store.js';
import { createLambdaContext, LOCAL_REGION } from '../../local/index.js';
import { changeKey } from '../../simulator/ids.js';
import { useLocalAws } from './local-aws.js';
import {
  CursorVersionLog,
  changeNumberOf,
  KilledError,
  MirrorWatcher,
  rowDifferences,
  WorkerKiller,
} from './pipeline-faults.js';

/** Ports that only record which methods were called. */
function recordingDeps(calls: string[]): CoreDeps {
  const port = (name: string) =>
    new Proxy(
      {},
      {
        get: (_target, method) => async () => {
          calls.push(`${name}.${String(method)}`);
          return undefined;
        },
      },
    );
  return {
    mailSource: port('mailSource'),
    registry: port('registry'),
    cursors: port('cursors'),
    mirror: port('mirror'),
    queue: port('queue'),
  } as unknown as CoreDeps;
}

const cursor = (version: number, pages: number): Cursor => ({
  mailboxId: 'm',
  folderId: 'f',
  kind: 'folder',
  version,
  generation: 0,
  status: 'syncing',
  pages,
  changesApplied: 0,
  updatedAt: 0,
});

const local = useLocalAws();

const context = () =>
  createLambdaContext({ functionName: 'w', timeoutMs: 1000, memoryMb: 128, region: LOCAL_REGION });

describe('WorkerKiller', () => {
  it('kills before the server call: nothing after it reaches a port, the invocation fails', async () => {
    const calls: string[] = [];
    const killer = new WorkerKiller('before-server-call', { first: 1, every: 1, max: 1 });
    const deps = killer.wrapDeps(recordingDeps(calls));
    const page = async () => {
      await deps.registry.get('m');
      await deps.mailSource.syncItems({ requestId: 'r' } as never).catch(() => {});
      await deps.cursors.replace(cursor(1, 0), cursor(1, 1));
      return undefined;
    };
    const worker = killer.wrapWorker(page);
    await expect(worker({ Records: [] }, context())).rejects.toBeInstanceOf(KilledError);
    // Even though the page swallowed the error, the dead invocation could not write.
    expect(calls).toEqual(['registry.get']);
    // max 1: the next invocation lives.
    await worker({ Records: [] }, context());
    expect(calls).toEqual(['registry.get', 'registry.get', 'mailSource.syncItems', 'cursors.replace']);
  });

  it('kills after the advance: the write happened, the follow-up is never sent', async () => {
    const calls: string[] = [];
    const killer = new WorkerKiller('after-advance', { first: 1, every: 1, max: 1 });
    const deps = killer.wrapDeps(recordingDeps(calls));
    const worker = killer.wrapWorker(async () => {
      await deps.cursors.replace(cursor(1, 0), { ...cursor(1, 1), nextJobId: 'next' });
      await deps.queue.send([]);
      return undefined;
    });
    await expect(worker({ Records: [] }, context())).rejects.toThrow(/after-advance/);
    expect(calls).toEqual(['cursors.replace']);
    expect(killer.kills).toHaveLength(1);
  });
});

/** Ports over one cursor store; the other ports are never called by these tests. */
const withCursors = (cursors: CursorStore): CoreDeps => ({ ...recordingDeps([]), cursors });

/**
 * A store that writes whatever it is given, with no condition: what a broken adapter would do.
 * `merge` keeps the fields a write leaves out (an UpdateItem that SETs and never REMOVEs).
 */
class CarelessStore implements CursorStore {
  readonly rows = new Map<string, Cursor>();
  constructor(private readonly merge = false) {}
  async get(mailboxId: string, folderId: string) {
    const row = this.rows.get(`${mailboxId}/${folderId}`);
    return row && structuredClone(row);
  }
  async listByMailbox() {
    return [...this.rows.values()];
  }
  async create(cursor: Cursor) {
    this.rows.set(`${cursor.mailboxId}/${cursor.folderId}`, structuredClone(cursor));
    return true;
  }
  async replace(_expected: Cursor, next: Cursor) {
    const key = `${next.mailboxId}/${next.folderId}`;
    this.rows.set(key, structuredClone(this.merge ? { ...this.rows.get(key), ...next } : next));
  }
  // Not called by these tests.
  writeFacts = unused;
  resume = unused;
  requestSync = unused;
}

function unused(): never {
  throw new Error('not used by these tests');
}

describe('CursorVersionLog', () => {
  it('reports a write after which the stored version is lower than the one it replaced', async () => {
    const log = new CursorVersionLog();
    const deps = log.wrapDeps(withCursors(new CarelessStore()));
    await deps.cursors.create(cursor(5, 0));
    await deps.cursors.replace(cursor(5, 0), cursor(6, 0));
    await deps.cursors.replace(cursor(6, 0), cursor(4, 0));
    expect(log.regressions).toEqual([{ cursor: 'm/f', from: 6, to: 4 }]);
    expect(log.highest.get('m/f')).toBe(6);
    expect(log.mismatches).toEqual([]);
  });

  it('flags a write whose stored row differs from the written one', async () => {
    const log = new CursorVersionLog();
    const deps = log.wrapDeps(withCursors(new CarelessStore(true)));
    const leased = { ...cursor(1, 0), lease: { owner: 'w1', until: 99, jobId: 'j' } };
    await deps.cursors.create(leased);
    // The advance leaves the lease out: the row must have none afterwards. This store kept it.
    await deps.cursors.replace(leased, cursor(2, 1));
    expect(log.mismatches).toEqual([
      {
        cursor: 'm/f',
        version: 2,
        differences: [{ field: 'lease', written: undefined, stored: leased.lease }],
      },
    ]);
    expect(log.compared).toBe(2);
    // It records what was stored, not what the writer meant.
    expect(log.highest.get('m/f')).toBe(2);
  });

  it('ignores key order and fields written as undefined; counts a row overwritten meanwhile', async () => {
    const store = new InMemoryCursorStore();
    const log = new CursorVersionLog();
    const deps = log.wrapDeps(withCursors(store));
    const first = cursor(1, 0);
    await deps.cursors.create(first);
    // Keys in another order, an optional field present but undefined: the same row.
    const { pages, mailboxId, ...rest } = cursor(2, 1);
    await deps.cursors.replace(first, { pages, ...rest, lease: undefined, mailboxId });
    expect(log.mismatches).toEqual([]);
    expect(log.compared).toBe(2);

    // Another writer moves the row on between the write and its read-back: not comparable.
    const racing = log.wrapDeps(
      withCursors({
        ...store,
        get: (m, f) => store.get(m, f),
        create: (c) => store.create(c),
        listByMailbox: (m) => store.listByMailbox(m),
        writeFacts: unused,
        resume: unused,
        requestSync: unused,
        replace: async (expected, next) => {
          await store.replace(expected, next);
          await store.replace(next, { ...next, version: next.version + 1, status: 'idle' });
        },
      }),
    );
    await racing.cursors.replace(cursor(2, 1), cursor(3, 2));
    expect(log.superseded).toBe(1);
    expect(log.mismatches).toEqual([]);
    expect(log.highest.get('m/f')).toBe(4);
  });

  it('reads the row back from DynamoDB: a field the store left behind is flagged', async () => {
    const { cursorTable } = await local.tables();
    const real = new DynamoCursorStore(local.clients.dynamodb, cursorTable);
    // The real adapter, plus a stray attribute set beside each replace: the read-back must see it.
    const leaky: CursorStore = {
      get: (m, f) => real.get(m, f),
      listByMailbox: (m) => real.listByMailbox(m),
      create: (c) => real.create(c),
      writeFacts: unused,
      resume: unused,
      requestSync: unused,
      replace: async (expected, next, owner) => {
        await real.replace(expected, next, owner);
        await local.clients.dynamodb.send(
          new UpdateItemCommand({
            TableName: cursorTable,
            Key: { pk: { S: next.mailboxId }, sk: { S: next.folderId } },
            UpdateExpression: 'SET stray = :s',
            ExpressionAttributeValues: { ':s': { S: 'left behind' } },
          }),
        );
      },
    };
    const log = new CursorVersionLog();
    const deps = log.wrapDeps(withCursors(leaky));
    await deps.cursors.create(cursor(1, 0));
    await deps.cursors.replace(cursor(1, 0), { ...cursor(2, 1), syncState: 'S1' });
    expect(log.mismatches).toEqual([
      {
        cursor: 'm/f',
        version: 2,
        differences: [{ field: 'stray', written: undefined, stored: 'left behind' }],
      },
    ]);
    expect(log.compared).toBe(2);
  });
});

describe('rowDifferences', () => {
  it('compares fields and values at every level, not key order; undefined is absent', () => {
    expect(rowDifferences({ a: 1, b: { x: 1, y: 2 }, c: undefined }, { b: { y: 2, x: 1 }, a: 1 })).toEqual(
      [],
    );
    expect(rowDifferences({ a: 1, b: { x: 1 } }, { a: 2, b: { x: 1, z: 0 }, d: true })).toEqual([
      { field: 'a', written: 1, stored: 2 },
      { field: 'b', written: { x: 1 }, stored: { x: 1, z: 0 } },
      { field: 'd', written: undefined, stored: true },
    ]);
  });
});

describe('MirrorWatcher', () => {
  const guid = Buffer.alloc(16, 3);
  const key = (n: number) => changeKey(0x09, guid, 1, n);
  const at = (pageVersion: number): MirrorWrite => ({
    mailboxId: 'm',
    folderId: 'f',
    pageVersion,
    generation: 0,
    now: 1_000 + pageVersion,
  });
  const upsert = (itemId: string, n: number): ItemChange => ({
    kind: 'update',
    itemId,
    changeKey: key(n),
    itemType: 'Message',
    item: { subject: `${itemId} at ${n}` },
  });

  it('catches a row that goes back and forward again between two samples of the table', async () => {
    const { itemTable } = await local.tables();
    const watcher = new MirrorWatcher(local.clients.dynamodb);
    const { mirror } = watcher.wrapDeps(
      { ...recordingDeps([]), mirror: new DynamoItemMirror(local.clients.dynamodb, itemTable) },
      itemTable,
    );
    await mirror.apply(at(1), [upsert('a', 5), upsert('b', 5), upsert('c', 5)]);
    // Within a few milliseconds, far less than the 250 ms between two scans of the old watcher:
    // a goes back to an older ChangeKey and on to a newer one, b is deleted and comes back, c
    // moves on. A sampler that saw the table before and after would see a and c advance, b live.
    await mirror.apply(at(2), [upsert('a', 3), { kind: 'delete', itemId: 'b' }]);
    await mirror.apply(at(3), [upsert('a', 7), upsert('b', 6), upsert('c', 7)]);
    await watcher.finish();
    expect(watcher.regressions.map((r) => `${r.item} ${r.kind}`).sort()).toEqual([
      'm#f/a older-change-key',
      'm#f/b resurrected',
    ]);
    expect(watcher.regressions.find((r) => r.kind === 'older-change-key')).toMatchObject({
      before: { changeNumber: 5, deleted: false },
      after: { changeNumber: 3, deleted: false },
    });
    // a from 3 to 7, c from 5 to 7.
    expect(watcher.advances).toBe(2);
    expect(watcher.writes).toBe(3);
    expect(watcher.unobserved).toEqual([]);
  });

  it('observes tombstoneFolder and sweep too, and finish() reports a write it did not see', async () => {
    const { itemTable } = await local.tables();
    const watcher = new MirrorWatcher(local.clients.dynamodb);
    const { mirror } = watcher.wrapDeps(
      { ...recordingDeps([]), mirror: new DynamoItemMirror(local.clients.dynamodb, itemTable) },
      itemTable,
    );
    await mirror.apply(at(1), [upsert('a', 5), upsert('b', 5)]);
    await mirror.tombstoneFolder(at(2));
    // A write straight to the table, around the port: b live again behind the watcher's back.
    await local.clients.dynamodb.send(
      new PutItemCommand({
        TableName: itemTable,
        Item: { pk: { S: 'm#f' }, sk: { S: 'b' }, changeKey: { S: key(6) }, deleted: { BOOL: false } },
      }),
    );
    await watcher.finish();
    expect(watcher.writes).toBe(2);
    expect(watcher.unobserved).toEqual(['m#f/b']);
    expect(watcher.regressions.map((r) => `${r.item} ${r.kind}`)).toEqual(['m#f/b resurrected']);
  });
});

describe('changeNumberOf', () => {
  it("reads the change number out of the simulator's ChangeKeys", () => {
    const guid = Buffer.alloc(16, 7);
    expect(changeNumberOf(changeKey(0x09, guid, 3, 41))).toBe(41);
    expect(changeNumberOf(changeKey(0x09, guid, 3, 42))).toBeGreaterThan(
      changeNumberOf(changeKey(0x09, guid, 3, 41)),
    );
    expect(changeNumberOf('short')).toBe(-1);
  });
});
