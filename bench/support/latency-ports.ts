// Realistic round trips for the in-memory stores and the queue: each port call waits, before it
// runs, for as many round trips as the DynamoDB or SQS adapter makes for it in AWS. The in-memory
// stores answer in microseconds, so without this a benchmark measures an engine whose every write
// is free; a Lambda in the same region pays about 5 ms per DynamoDB call and 15 ms per SQS send.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CursorStore, ItemMirror, MailboxRegistry, WorkQueue } from '../../lib/core/index.js';

/** AWS in-region round trips seen from a Lambda (p50, small items): DynamoDB call, SQS send. */
export const AWS_ROUND_TRIP_MS = { store: 5, queue: 15 } as const;

/** The DynamoDB item mirror's write concurrency and SQS batching, as the adapters use them. */
const MIRROR_PUTS_IN_FLIGHT = 32;
const SQS_BATCH = 10;
const SQS_BATCHES_IN_FLIGHT = 10;

/** Round trips of one call: a number, or a function of the call's arguments. */
type RoundTrips<T> = { [K in keyof T]?: number | ((...args: never[]) => number) };

const rounds = (count: number, inFlight: number) => Math.ceil(count / inFlight);

/**
 * Wraps every method of `target` so that it first waits `latencyMs` times its round trips
 * (default one). With latency 0 the target itself is returned.
 */
function withRoundTrips<T extends object>(target: T, latencyMs: number, model: RoundTrips<T>): T {
  if (latencyMs <= 0) return target;
  return new Proxy(target, {
    get(object, key, receiver) {
      const value = Reflect.get(object, key, receiver);
      if (typeof value !== 'function') return value;
      const trips = model[key as keyof T] as number | ((...args: unknown[]) => number) | undefined;
      return async (...args: unknown[]) => {
        const count = typeof trips === 'function' ? trips(...args) : (trips ?? 1);
        if (count > 0) await sleep(latencyMs * count);
        return value.apply(object, args);
      };
    },
  });
}

/**
 * The registry: one call per operation, except taking a slot, which reads the mailbox's slots and
 * then writes one (more when another worker wins the race; not modelled).
 */
export function registryWithLatency(registry: MailboxRegistry, latencyMs: number): MailboxRegistry {
  return withRoundTrips(registry, latencyMs, { acquireSlot: 2 });
}

/** The cursor store: every operation is one GetItem, Query, PutItem or conditional write. */
export function cursorsWithLatency(cursors: CursorStore, latencyMs: number): CursorStore {
  return withRoundTrips(cursors, latencyMs, {});
}

/**
 * The mirror's apply: one round of BatchGetItem (the current rows, 100 keys a call, in parallel),
 * then the conditional puts 32 at a time. Rows becoming live (every row of a first sync) go
 * instead in TransactWriteItems of 99 puts, one after another (ClosedFolderGuard): 6 calls for a
 * 512-item page, each slower than a PutItem; the model's 16 rounds of 5 ms are of the same order,
 * not a measurement of it. A folder close or sweep: the close, a query, a round of tombstones.
 */
export function mirrorWithLatency(mirror: ItemMirror, latencyMs: number): ItemMirror {
  return withRoundTrips(mirror, latencyMs, {
    apply: (_write: unknown, changes: unknown[]) => 1 + rounds(changes.length, MIRROR_PUTS_IN_FLIGHT),
    tombstoneFolder: 3,
    sweep: 3,
    // Verification reads after the run are not part of the sync.
    listLive: 0,
  });
}

/** The queue: SendMessageBatch of 10 entries, 10 batches in flight. */
export function queueWithLatency(queue: WorkQueue, latencyMs: number): WorkQueue {
  return withRoundTrips(queue, latencyMs, {
    send: (entries: unknown[]) => rounds(rounds(entries.length, SQS_BATCH), SQS_BATCHES_IN_FLIGHT),
  });
}

/** Latency of a careful user's store: BatchWriteItem of 25 items, 32 calls in flight, then the state. */
export function baselineWriteRoundTrips(items: number): number {
  return rounds(rounds(items, 25), MIRROR_PUTS_IN_FLIGHT) + 1;
}
