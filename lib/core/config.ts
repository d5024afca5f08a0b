// Tunables of the use cases. Handlers build this from the environment, read through the settings
// table (lib/settings, whose test checks the defaults below against it); the core never reads
// the environment, nor imports the table.

export interface RetryPolicy {
  /** First retry waits about this long (before jitter). */
  baseMs: number;
  /** No retry waits longer than this. */
  capMs: number;
}

export interface CoreConfig {
  /** Follow-ups per chain before it is stopped (our own loop guard; the next tick resumes). */
  maxHops: number;
  /** A folder (or hierarchy) synced more recently than this is not due yet. */
  syncIntervalMs: number;
  /**
   * The scheduler's period. A sync is stamped when it completes, a little after the tick that
   * planned it, and ticks jitter by seconds: a cursor counts as due half a tick before its
   * interval is up, so a 15-minute interval on a 5-minute tick syncs every third tick, not
   * every fourth.
   */
  tickIntervalMs: number;
  /** A cursor left `syncing` without a live lease for this long is re-enqueued by the next tick. */
  stuckAfterMs: number;
  /** Lease and slot lifetime: must outlive any worker invocation. */
  leaseMs: number;
  /** Transient and protocol errors: jittered exponential back-off, stop after `maxAttempts`. */
  transientRetry: RetryPolicy & { maxAttempts: number };
  /** Throttled without a server hint: pause the mailbox this long. */
  defaultThrottleMs: number;
  /** Extra random pause added to a throttle so workers do not return all at once. */
  throttleJitterMs: number;
  /**
   * The longest pause a server's answer may impose. A longer one (a `Retry-After` of years) is
   * cut to this and parks the mailbox with the reason, for an operator to look at: a pause that
   * long is a broken or hostile server, not throttling.
   */
  maxBackoffMs: number;
  /**
   * A rejected state (an expired Graph delta token, an invalid EWS SyncState) resyncs the folder
   * after a random delay up to this long: tokens of many folders expire together, and their
   * full resyncs should not start in the same second.
   */
  resyncJitterMs: number;
  /** Pages in a row with no changes that still claim more: the chain stops (never spins). */
  maxEmptyPages: number;
  /**
   * A mailbox parked for a reason the server is known to report intermittently (Exchange Online's
   * 401 and ErrorImpersonateUserDenied for mailboxes that work an hour later, and
   * ErrorImpersonationFailed: see RECHECKED_PARK_CODES) is tried again by
   * the tick after this long; if it fails the same way it is parked again, for as long again.
   */
  parkedRecheckMs: number;
  /** No free mailbox slot: retry after a short jittered delay growing with hop and attempt. */
  slotRetry: RetryPolicy;
  /**
   * No free mailbox slot: wait in-process up to this long (polling with growing pauses) before
   * re-enqueueing. A slot frees within about one server round trip, while a re-enqueued job
   * waits at least a second (SQS delays are whole seconds). 0 disables the wait.
   */
  slotWaitMs: number;
  /**
   * A page killed by the Lambda timeout after writing items costs a resync of its folder, so a
   * page starts only with `startMs` left, and applies what it fetched only with `applyMs` left
   * (otherwise it hands the page on cleanly).
   */
  timeReserve: { startMs: number; applyMs: number };
  /**
   * Pages of one chain an invocation runs in a row: the promised follow-up runs in the same
   * invocation while time allows (twice `timeReserve.startMs`, or more after a slow page) instead
   * of going through the queue, which saves a send, a receive and a mailbox read per page.
   * 1: every page is its own delivery.
   */
  pagesPerInvocation: number;
  /** Scheduler: registry page size, and the time it keeps in reserve before handing over. */
  fanOut: { pageSize: number; marginMs: number; concurrency: number };
}

export const DEFAULT_CORE_CONFIG: CoreConfig = {
  maxHops: 500,
  // The settings table's default (lib/settings: syncIntervalMinutes), checked by its test.
  syncIntervalMs: 15 * 60_000,
  tickIntervalMs: 5 * 60_000,
  stuckAfterMs: 15 * 60_000,
  leaseMs: 90_000,
  transientRetry: { baseMs: 2_000, capMs: 5 * 60_000, maxAttempts: 8 },
  defaultThrottleMs: 30_000,
  throttleJitterMs: 5_000,
  maxBackoffMs: 15 * 60_000,
  resyncJitterMs: 10_000,
  maxEmptyPages: 3,
  parkedRecheckMs: 60 * 60_000,
  slotRetry: { baseMs: 1_000, capMs: 5_000 },
  slotWaitMs: 3_000,
  timeReserve: { startMs: 10_000, applyMs: 5_000 },
  pagesPerInvocation: 100,
  fanOut: { pageSize: 100, marginMs: 10_000, concurrency: 16 },
};

/** The defaults with some fields replaced (nested objects are replaced whole). */
export function coreConfig(overrides: Partial<CoreConfig> = {}): CoreConfig {
  return { ...DEFAULT_CORE_CONFIG, ...overrides };
}
