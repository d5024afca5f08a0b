// Fault injection and invariant recording around the container's real ports: a worker that dies
// at a chosen step of a page, duplicated deliveries, and observers of cursor versions and of the
// item mirror. Nothing here replaces a port; each wrapper calls the real adapter.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { CLOSED_FOLDER_SK } from '../../lib/adapters/dynamodb/closed-folder-guard.js';
import { partitionKey } from '../../lib/adapters/dynamodb/dynamo-item-mirror.js';
import { pageFieldsOf } from '../../lib/core/cursor-write.js';
import type { CoreDeps, Cursor, CursorStore, Enqueue, MirrorWrite } from '../../lib/core/index.js';
import { createLambdaContext, LOCAL_REGION, type SqsBatchHandler } from '../../local/index.js';

/** Where a worker dies. "after" steps die right after the real call succeeded. */
export type KillPoint = 'before-server-call' | 'after-apply' | 'after-advance' | 'after-follow-up';

export class KilledError extends Error {
  override readonly name = 'KilledError';
  constructor(
    readonly point: KillPoint,
    readonly occurrence: number,
  ) {
    super(`worker killed ${point} (occurrence ${occurrence})`);
  }
}

type PortName = 'mailSource' | 'registry' | 'cursors' | 'mirror' | 'queue';
const PORTS: PortName[] = ['mailSource', 'registry', 'cursors', 'mirror', 'queue'];

/** Calls `around` instead of each method of `target`, with the real method to call. */
const SYNCHRONOUS_METHODS = new Set(['resyncAfterMs', 'maxConcurrentCalls']);

function wrapMethods<T extends object>(
  target: T,
  around: (method: string, call: () => Promise<unknown>, args: unknown[]) => Promise<unknown>,
): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      // Answers from configuration, without I/O: a dying invocation cannot interrupt it.
      if (SYNCHRONOUS_METHODS.has(property)) return value.bind(object);
      return (...args: unknown[]) =>
        around(property, () => Promise.resolve(value.apply(object, args) as unknown), args);
    },
  });
}

/**
 * Kills a worker invocation at one step of a page, at occurrences `first`, `first + every`, ...
 * (at most `max` kills). A killed invocation behaves like a Lambda that died: every later port
 * call of any record of its batch fails, and the whole batch is reported failed, so SQS brings
 * its messages back after the visibility timeout.
 */
export class WorkerKiller {
  readonly kills: KilledError[] = [];
  private readonly invocations = new AsyncLocalStorage<{ killed?: KilledError }>();
  private occurrences = 0;
  /** Follow-up job ids promised by cursor advances: a send carrying one is the follow-up. */
  private readonly promised = new Set<string>();

  constructor(
    private readonly point: KillPoint,
    private readonly schedule: {
      first: number;
      every: number;
      max: number;
      /** Only kill pages of this kind (default: both). */
      pages?: 'folder' | 'hierarchy';
    },
  ) {}

  wrapWorker(handler: SqsBatchHandler): SqsBatchHandler {
    return async (event, context) => {
      const state: { killed?: KilledError } = {};
      const result = await this.invocations.run(state, () => handler(event, context));
      if (state.killed) throw state.killed;
      return result;
    };
  }

  wrapDeps(deps: CoreDeps): CoreDeps {
    const wrapped = { ...deps };
    for (const name of PORTS) {
      (wrapped as Record<PortName, object>)[name] = wrapMethods(deps[name], (method, call, args) =>
        this.around(name, method, call, args),
      );
    }
    return wrapped;
  }

  private async around(
    port: PortName,
    method: string,
    call: () => Promise<unknown>,
    args: unknown[],
  ): Promise<unknown> {
    this.checkAlive();
    if (port === 'mailSource' && method.startsWith('sync')) {
      const page = method === 'syncHierarchy' ? 'hierarchy' : 'folder';
      if (this.due('before-server-call', page)) this.die();
    }
    const result = await call();
    this.checkAlive();
    if (port === 'mirror' && method === 'apply' && this.due('after-apply', 'folder')) this.die();
    if (port === 'cursors' && method === 'replace') {
      const [expected, next] = args as [Cursor, Cursor];
      if (next.pages > expected.pages) {
        if (next.nextJobId) this.promised.add(next.nextJobId);
        // Folder chains die after a mid-chain advance (the recovery to check is the re-sent
        // follow-up); hierarchy chains complete in one page, so theirs is the completing advance.
        const midChain = next.nextJobId !== undefined;
        if ((midChain || next.kind === 'hierarchy') && this.due('after-advance', next.kind)) this.die();
      }
    }
    if (port === 'queue' && method === 'send') {
      const followUp = (args[0] as Enqueue[]).find((entry) => this.promised.has(entry.job.jobId));
      const page = followUp?.job.type === 'hierarchy' ? 'hierarchy' : 'folder';
      if (followUp && this.due('after-follow-up', page)) this.die();
    }
    return result;
  }

  /** Counts an occurrence of `point` inside a worker invocation; true when this one is killed. */
  private due(point: KillPoint, page: 'folder' | 'hierarchy'): boolean {
    if (point !== this.point || !this.invocations.getStore()) return false;
    if (this.schedule.pages !== undefined && this.schedule.pages !== page) return false;
    this.occurrences++;
    const { first, every, max } = this.schedule;
    const n = this.occurrences - first;
    return n >= 0 && n % every === 0 && this.kills.length < max;
  }

  private die(): never {
    const error = new KilledError(this.point, this.occurrences);
    const state = this.invocations.getStore();
    if (state) state.killed = error;
    this.kills.push(error);
    throw error;
  }

  private checkAlive(): void {
    const killed = this.invocations.getStore()?.killed;
    if (killed) throw killed;
  }
}

/** A cursor write after which the stored version was lower than the one it replaced. */
export interface VersionRegression {
  cursor: string;
  from: number;
  to: number;
}

/** One field whose stored value is not the written one (undefined: absent on that side). */
export interface FieldDifference {
  field: string;
  written: unknown;
  stored: unknown;
}

/** A cursor write whose row, read back at its own version, is not the row that was written. */
export interface StoredMismatch {
  cursor: string;
  version: number;
  differences: FieldDifference[];
}

/**
 * Records every successful cursor write by what was stored: after each write through the
 * wrapped port the row is read back (a consistent read through the real store) and that row is
 * recorded. A write must never leave a lower version than the one it replaced, and the stored
 * row must be exactly the written one (same fields, same values; key order does not count, a
 * field written as undefined is absent). A row found already at a later version was overwritten
 * by another writer between the write and the read: it is counted, not compared (that writer's
 * own read-back compares it).
 */
export class CursorVersionLog {
  readonly regressions: VersionRegression[] = [];
  /** Writes whose stored row differs from the written one. */
  readonly mismatches: StoredMismatch[] = [];
  /** Highest version stored per cursor, as read back. */
  readonly highest = new Map<string, number>();
  /** Successful writes. */
  writes = 0;
  /** Writes read back at their own version and compared field by field. */
  compared = 0;
  /** Writes already overwritten by a later one when read back. */
  superseded = 0;

  wrapDeps(deps: CoreDeps): CoreDeps {
    const store = deps.cursors;
    const cursors = wrapMethods(store, async (method, call, args) => {
      const result = await call();
      if (method === 'replace') {
        // A page's write names the page fields only: the folder facts are the hierarchy's.
        const [expected, next] = args as [Cursor, Cursor];
        await this.record(store, next, expected.version, pageFieldsOf);
      } else if (method === 'create' && result === true) {
        await this.record(store, args[0] as Cursor, 0, (c) => c);
      }
      return result;
    });
    return { ...deps, cursors };
  }

  private async record(
    store: CursorStore,
    written: Cursor,
    previous: number,
    fieldsOf: (cursor: Cursor) => object,
  ): Promise<void> {
    this.writes++;
    const key = `${written.mailboxId}/${written.folderId}`;
    const stored = await store.get(written.mailboxId, written.folderId);
    if (!stored) {
      this.mismatches.push({
        cursor: key,
        version: written.version,
        differences: [{ field: '(row)', written: written.version, stored: undefined }],
      });
      return;
    }
    if (stored.version < previous) this.regressions.push({ cursor: key, from: previous, to: stored.version });
    this.highest.set(key, Math.max(this.highest.get(key) ?? 0, stored.version));
    if (stored.version > written.version) {
      this.superseded++;
      return;
    }
    this.compared++;
    const differences = rowDifferences(fieldsOf(written), fieldsOf(stored));
    if (differences.length > 0) this.mismatches.push({ cursor: key, version: written.version, differences });
  }
}

/**
 * The fields in which two rows differ. Fields whose value is undefined count as absent, and
 * object keys are compared in sorted order at every level (a store need not keep their order).
 */
export function rowDifferences(written: object, stored: object): FieldDifference[] {
  const a = normalisedRow(written);
  const b = normalisedRow(stored);
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return fields
    .filter((field) => JSON.stringify(a[field]) !== JSON.stringify(b[field]))
    .map((field) => ({ field, written: a[field], stored: b[field] }));
}

function normalisedRow(row: object): Record<string, unknown> {
  return normalised(row) as Record<string, unknown>;
}

/** Keys sorted and undefined-valued keys dropped, at every level. */
function normalised(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalised);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined) out[key] = normalised(field);
  }
  return out;
}

/**
 * Runs every record of some invocations twice at once (two concurrent batches holding the same
 * messages), and sends some jobs twice: SQS's at-least-once delivery, made frequent.
 */
export class Duplicator {
  duplicatedInvocations = 0;
  duplicatedSends = 0;
  private invocations = 0;
  private sends = 0;

  constructor(private readonly every: { invocation: number; send: number }) {}

  wrapWorker(handler: SqsBatchHandler, timeoutMs: number): SqsBatchHandler {
    return async (event, context) => {
      if (++this.invocations % this.every.invocation !== 0) return handler(event, context);
      this.duplicatedInvocations++;
      const twin = createLambdaContext({
        functionName: context.functionName,
        timeoutMs,
        memoryMb: Number(context.memoryLimitInMB),
        region: LOCAL_REGION,
      });
      // The twin's answer is dropped: only one consumer deletes the messages.
      const [result] = await Promise.all([
        handler(event, context),
        handler(event, twin).catch(() => undefined),
      ]);
      return result;
    };
  }

  wrapDeps(deps: CoreDeps): CoreDeps {
    const queue = wrapMethods(deps.queue, async (method, call, args) => {
      const result = await call();
      if (method === 'send') {
        const entries = (args[0] as Enqueue[]).filter(() => ++this.sends % this.every.send === 0);
        if (entries.length > 0) {
          this.duplicatedSends += entries.length;
          await deps.queue.send(entries);
        }
      }
      return result;
    });
    return { ...deps, queue };
  }
}

/** A row state seen in the item table. */
interface SeenRow {
  changeNumber: number;
  deleted: boolean;
}

/** An item row that went back to an older ChangeKey or came back after its tombstone. */
export interface ItemRegression {
  item: string;
  kind: 'older-change-key' | 'resurrected';
  before: SeenRow;
  after: SeenRow;
}

/**
 * The simulator's ChangeKey ends with the item's change number (simulator/ids.ts), so ChangeKeys
 * of one item are ordered: a later state of the item has a higher number.
 */
export function changeNumberOf(changeKey: string): number {
  const bytes = Buffer.from(changeKey, 'base64');
  return bytes.length >= 30 ? bytes.readUInt32BE(26) : -1;
}

/**
 * Watches every write of the item mirror, not samples of it. Each write call through the
 * wrapped port (apply, tombstoneFolder, sweep) is observed with the rows of its folder read just
 * before it and read back just after it returns (consistent reads of the item table), before the
 * page can take its next step; every observation of a row is checked against the one before it:
 * its ChangeKey never gets older and a tombstone never turns live again. Reads of one folder are
 * made one at a time, so the observations of a row are in the order its states were stored.
 *
 * What it cannot see: a state that lasts only between a write and a concurrent write of the same
 * row by another page, both before either read-back. (DynamoDB Local does serve the table's
 * stream, which would show every state, but @aws-sdk/client-dynamodb-streams is not installed.)
 * `finish()` checks that nothing wrote the table behind the watcher's back.
 */
export class MirrorWatcher {
  readonly regressions: ItemRegression[] = [];
  /** Rows found by `finish()` in a state the watcher never observed: writes it did not see. */
  readonly unobserved: string[] = [];
  /** Write calls observed (each with its folder read before and after). */
  writes = 0;
  /** Row states compared with the previous observation of the row. */
  observations = 0;
  /** Rows seen moving to a newer ChangeKey: proof that the watch observes real changes. */
  advances = 0;
  private readonly seen = new Map<string, SeenRow>();
  /** Per folder partition: the tail of its chain of reads. */
  private readonly reads = new Map<string, Promise<void>>();
  private table: string | undefined;

  constructor(private readonly client: DynamoDBClient) {}

  /** Wraps the mirror port of `deps`, whose rows live in `table`. */
  wrapDeps(deps: CoreDeps, table: string): CoreDeps {
    if (this.table !== undefined && this.table !== table)
      throw new Error(`MirrorWatcher watches ${this.table}, not ${table}`);
    this.table = table;
    const mirror = wrapMethods(deps.mirror, async (method, call, args) => {
      if (method !== 'apply' && method !== 'tombstoneFolder' && method !== 'sweep') return call();
      const write = args[0] as MirrorWrite;
      const pk = partitionKey(write.mailboxId, write.folderId);
      await this.observe(pk);
      try {
        return await call();
      } finally {
        // Also after a failed call: some of its rows may have been written.
        this.writes++;
        await this.observe(pk);
      }
    });
    return { ...deps, mirror };
  }

  /**
   * One last consistent scan of the whole table once the run is over: every row must be in the
   * state last observed (a row in another state was written without the watcher seeing it).
   */
  async finish(): Promise<void> {
    await Promise.all(this.reads.values());
    for (const row of await this.readRows()) {
      const last = this.seen.get(row.key);
      if (!last || last.changeNumber !== row.state.changeNumber || last.deleted !== row.state.deleted)
        this.unobserved.push(row.key);
      this.check(row.key, row.state);
    }
  }

  /** Reads the folder's rows after every read of it already queued, and checks each. */
  private observe(pk: string): Promise<void> {
    const previous = this.reads.get(pk) ?? Promise.resolve();
    const next = previous.then(async () => {
      for (const row of await this.readRows(pk)) this.check(row.key, row.state);
    });
    const tail = next.catch(() => {});
    this.reads.set(pk, tail);
    void tail.then(() => {
      if (this.reads.get(pk) === tail) this.reads.delete(pk);
    });
    return next;
  }

  private check(key: string, now: SeenRow): void {
    const before = this.seen.get(key);
    this.observations++;
    if (before?.deleted && !now.deleted) {
      this.regressions.push({ item: key, kind: 'resurrected', before, after: now });
    } else if (before && !now.deleted && !before.deleted && now.changeNumber < before.changeNumber) {
      this.regressions.push({ item: key, kind: 'older-change-key', before, after: now });
    } else if (before && !now.deleted && now.changeNumber > before.changeNumber) {
      this.advances++;
    }
    this.seen.set(key, now);
  }

  /** Item rows (closed-folder markers left out) of one partition, or of the whole table. */
  private async readRows(pk?: string): Promise<{ key: string; state: SeenRow }[]> {
    const table = this.table;
    if (!table) return [];
    const found: { key: string; state: SeenRow }[] = [];
    const projection = {
      ProjectionExpression: '#pk, #sk, changeKey, deleted',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
    };
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = pk
        ? await this.client.send(
            new QueryCommand({
              TableName: table,
              ConsistentRead: true,
              KeyConditionExpression: '#pk = :pk',
              ExpressionAttributeValues: { ':pk': { S: pk } },
              ExclusiveStartKey: start,
              ...projection,
            }),
          )
        : await this.client.send(
            new ScanCommand({
              TableName: table,
              ConsistentRead: true,
              ExclusiveStartKey: start,
              ...projection,
            }),
          );
      for (const row of page.Items ?? []) {
        if (row.sk?.S === CLOSED_FOLDER_SK) continue;
        found.push({
          key: `${row.pk?.S}/${row.sk?.S}`,
          state: {
            changeNumber: row.changeKey?.S ? changeNumberOf(row.changeKey.S) : -1,
            deleted: row.deleted?.BOOL === true,
          },
        });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  }
}

/** A mailbox pause as a worker recorded it: written between `from` and `writtenAt`. */
export interface RecordedBackOff {
  mailboxId: string;
  /** When the worker started writing it (after the throttle answer had arrived). */
  from: number;
  /** When the write was done: from here on every worker can see it. */
  writtenAt: number;
  until: number;
}

/**
 * Records every shared back-off the workers set on a mailbox, when each server call was issued
 * (by request id, the client-request-id the server logs), and how long mailbox reads take: a
 * call issued longer than the slowest read after a pause was written came from a read that
 * started after the write, so that worker knew of the pause.
 */
export class BackOffLog {
  readonly pauses: RecordedBackOff[] = [];
  /** requestId -> when the worker issued the server call. */
  readonly issuedAt = new Map<string, number>();
  slowestMailboxReadMs = 0;

  wrapDeps(deps: CoreDeps): CoreDeps {
    const registry = wrapMethods(deps.registry, async (method, call, args) => {
      const from = Date.now();
      const result = await call();
      const done = Date.now();
      if (method === 'get') this.slowestMailboxReadMs = Math.max(this.slowestMailboxReadMs, done - from);
      if (method === 'extendBackoff') {
        const [mailboxId, until] = args as [string, number];
        this.pauses.push({ mailboxId, from, writtenAt: done, until });
      }
      return result;
    });
    const mailSource = wrapMethods(deps.mailSource, (_method, call, args) => {
      const requestId = (args[0] as { requestId?: string }).requestId;
      if (requestId) this.issuedAt.set(requestId, Date.now());
      return call();
    });
    return { ...deps, registry, mailSource };
  }
}
