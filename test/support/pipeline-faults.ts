// Fault injection and invariant recording around the container's real ports: a worker that dies
// at a chosen step of a page, duplicated deliveries, and observers of cursor versions and of the
// item mirror. Nothing here replaces a port; each wrapper calls the real adapter.
import { AsyncLocalStorage } from 'node:async_hooks';
import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { CoreDeps, Cursor, Enqueue } from '../../lib/core/index.js';
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
function wrapMethods<T extends object>(
  target: T,
  around: (method: string, call: () => Promise<unknown>, args: unknown[]) => Promise<unknown>,
): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
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

/** A cursor write that lowered the stored version. */
export interface VersionRegression {
  cursor: string;
  from: number;
  to: number;
}

/** Records every successful cursor write; a write must never lower the version it replaced. */
export class CursorVersionLog {
  readonly regressions: VersionRegression[] = [];
  /** Highest version written per cursor. */
  readonly highest = new Map<string, number>();
  writes = 0;

  wrapDeps(deps: CoreDeps): CoreDeps {
    const cursors = wrapMethods(deps.cursors, async (method, call, args) => {
      const result = await call();
      if (method === 'replace') {
        const [expected, next] = args as [Cursor, Cursor];
        this.record(next, expected.version);
      } else if (method === 'create' && result === true) {
        this.record(args[0] as Cursor, 0);
      }
      return result;
    });
    return { ...deps, cursors };
  }

  private record(next: Cursor, previous: number): void {
    this.writes++;
    const key = `${next.mailboxId}/${next.folderId}`;
    if (next.version < previous) this.regressions.push({ cursor: key, from: previous, to: next.version });
    this.highest.set(key, Math.max(this.highest.get(key) ?? 0, next.version));
  }
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
 * Scans the item table over and over while the pipeline runs and checks that every row only
 * moves forward: its ChangeKey never gets older and a tombstone never turns live again.
 */
export class MirrorWatcher {
  readonly regressions: ItemRegression[] = [];
  scans = 0;
  /** Rows seen moving to a newer ChangeKey: proof that the watch observes real changes. */
  advances = 0;
  private readonly seen = new Map<string, SeenRow>();
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.scanOnce();
        await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
      }
    })();
  }

  /** Stops and takes one last look. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.scanOnce();
  }

  private async scanOnce(): Promise<void> {
    let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.table,
          ConsistentRead: true,
          ProjectionExpression: 'pk, sk, changeKey, deleted',
          ExclusiveStartKey: start,
        }),
      );
      for (const row of page.Items ?? []) {
        const key = `${row.pk?.S}/${row.sk?.S}`;
        const now: SeenRow = {
          changeNumber: row.changeKey?.S ? changeNumberOf(row.changeKey.S) : -1,
          deleted: row.deleted?.BOOL === true,
        };
        const before = this.seen.get(key);
        if (before?.deleted && !now.deleted) {
          this.regressions.push({ item: key, kind: 'resurrected', before, after: now });
        } else if (before && !now.deleted && !before.deleted && now.changeNumber < before.changeNumber) {
          this.regressions.push({ item: key, kind: 'older-change-key', before, after: now });
        } else if (before && !now.deleted && now.changeNumber > before.changeNumber) {
          this.advances++;
        }
        this.seen.set(key, now);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    this.scans++;
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
