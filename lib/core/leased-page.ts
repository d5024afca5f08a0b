// The skeleton shared by folder and hierarchy pages: mailbox checks, back-off, ownership of the
// job, the mailbox slot, the cursor lease (whose version fences every write of the page), the
// reaction to each kind of mail-source error, the advance and the follow-up. The two use cases
// only supply a PageApplier: how to call the server and how to apply what it returned.
import { backoffMs, delayUntil, toDelaySeconds } from './backoff.js';
import { callBudget } from './call-budget.js';
import type { CoreDeps, PageContext } from './deps.js';
import { MailSourceError, type MailSourceErrorKind } from './errors.js';
import { followUpJob, type PageJob, retryJob } from './jobs.js';
import type { Cursor, Mailbox } from './model.js';
import { NO_CHANGES, type PageError, type PageOutcome } from './outcome.js';
import { StaleCursorError } from './ports.js';
import { type Pause, pauseMailbox, serverText } from './throttle.js';
import { leaseIsLive } from './schedule.js';

/** A page in progress: the job, its mailbox, and the cursor as this page holds it. */
export interface PageSession {
  readonly deps: CoreDeps;
  readonly job: PageJob;
  readonly mailbox: Mailbox;
  readonly owner: string;
  readonly requestId: string;
  readonly now: number;
  /** The lease version: the fence of every item write of this page. */
  readonly fence: number;
  /** The cursor as last written by this page. */
  cursor: Cursor;
  readonly signal?: AbortSignal;
  /**
   * Gives the mailbox slot back. The slot bounds calls in flight at the server, so it is freed as
   * soon as the call returns: holding it through the item writes would idle the mailbox's
   * allowance while DynamoDB works. Idempotent; a no-op once the slot went to a follow-up.
   */
  readonly freeSlot: () => Promise<void>;
  /**
   * When more pages follow: instead of freeing the slot, reserves it for the promised follow-up
   * job, so a chain (the critical path of a folder) does not queue behind other folders for a
   * slot at every page. Released like any slot if the follow-up is not sent after all.
   */
  readonly handOffSlot: (nextJobId: string) => Promise<void>;
  /** The follow-up was sent: leave the reserved slot for it. */
  readonly keepSlotForFollowUp: () => void;
}

/** The name a slot is reserved under for a promised follow-up job. */
export const slotClaimFor = (jobId: string) => `follow-up:${jobId}`;

export interface FetchedPage {
  syncState: string;
  complete: boolean;
  changeCount: number;
}

/** Extra outcome fields an applier reports. */
export type OutcomeDetails = Partial<
  Pick<PageOutcome, 'changes' | 'folderChanges' | 'tombstoned' | 'swept' | 'enqueued' | 'error'>
>;

export interface PageApplier<P extends FetchedPage> {
  readonly type: PageJob['type'];
  cursorIdOf(job: PageJob): string;
  /** A missing cursor: create one (hierarchy) or give up (folder: undefined). */
  missingCursor(deps: CoreDeps, job: PageJob, now: number): Promise<Cursor | undefined>;
  /**
   * Items may have been applied without the cursor advancing (the lease is taken over from a
   * holder whose lease expired, or a write failed after the apply began). Returns the cursor
   * the next page should start from.
   */
  afterDirtyStop(cursor: Cursor): Partial<Cursor>;
  /** The cursor fields after an invalid SyncState (start over from scratch). */
  resetForResync(cursor: Cursor): Partial<Cursor>;
  fetch(session: PageSession): Promise<P>;
  /** Applies the page's changes; runs before the cursor advances, so it must be idempotent. */
  apply(session: PageSession, page: P): Promise<OutcomeDetails>;
  /** Last page of a chain, before the advance (e.g. the sweep that ends a resync). */
  beforeComplete?(session: PageSession): Promise<OutcomeDetails>;
  /** After the advance that completed a chain (e.g. start the folder jobs). */
  afterComplete?(session: PageSession): Promise<OutcomeDetails>;
  /** The server says the folder does not exist. */
  onFolderNotFound(session: PageSession, error: PageError): Promise<PageOutcome>;
}

type Base = Omit<PageOutcome, 'outcome'>;

function baseOutcome(job: PageJob, folderId: string): Base {
  return {
    type: job.type,
    mailboxId: job.mailboxId,
    folderId,
    jobId: job.jobId,
    hop: job.hop,
    pages: 0,
    changes: NO_CHANGES,
    enqueued: 0,
  };
}

export type Ownership =
  | { kind: 'acquire'; takeover: boolean }
  | { kind: 'resend-follow-up'; nextJobId: string }
  /** The page completed its chain, but the worker may have died before the after-completion step. */
  | { kind: 'redo-completion' }
  | { kind: 'duplicate'; leaseUntil: number }
  | { kind: 'stale' };

/**
 * Who may run this job against this cursor. A job owns the cursor when it was issued for the
 * current version, when it is the follow-up the last advance promised (`nextJobId`, which survives
 * metadata writes of the hierarchy), or when it already holds the lease (a redelivery).
 */
export function decideOwnership(cursor: Cursor, job: PageJob, now: number): Ownership {
  if (
    cursor.doneJobId === job.jobId &&
    cursor.nextJobId !== undefined &&
    cursor.status === 'syncing' &&
    !cursor.lease
  ) {
    return { kind: 'resend-follow-up', nextJobId: cursor.nextJobId };
  }
  if (cursor.doneJobId === job.jobId && cursor.status === 'idle' && !cursor.lease) {
    return { kind: 'redo-completion' };
  }
  const live = leaseIsLive(cursor, now);
  const owns =
    cursor.version === job.expectVersion ||
    cursor.nextJobId === job.jobId ||
    cursor.lease?.jobId === job.jobId;
  if (owns && !live) return { kind: 'acquire', takeover: cursor.lease !== undefined };
  if (live && cursor.lease?.jobId === job.jobId) return { kind: 'duplicate', leaseUntil: cursor.lease.until };
  return { kind: 'stale' };
}

export type ClassifiedError = PageError & { kind: MailSourceErrorKind; retryAfterMs?: number };

export function toPageError(error: unknown): ClassifiedError {
  if (error instanceof MailSourceError) {
    const classified: ClassifiedError = {
      kind: error.kind,
      code: serverText(error.code),
      message: serverText(error.message),
    };
    if (error.retryAfterMs !== undefined) classified.retryAfterMs = error.retryAfterMs;
    return classified;
  }
  // Anything else out of the mail source (abort, a bug in an adapter) is retried, never fatal.
  const name = error instanceof Error ? error.name : 'Unknown';
  return {
    kind: 'transient',
    code: `Unexpected${name}`,
    message: serverText(error instanceof Error ? error.message : String(error)),
  };
}

function lastError(error: PageError, at: number): NonNullable<Cursor['lastError']> {
  return { code: error.code, message: error.message, at };
}

const STOPPED: ReadonlySet<Cursor['status']> = new Set(['gone', 'excluded']);

/**
 * Writes the cursor as the lease holder. When the hierarchy changed the row meanwhile (it bumps
 * the version and keeps our lease), re-reads and rebuilds from the fresh row; gives up (returns
 * undefined) when the lease is no longer ours. A folder the hierarchy stopped stays stopped.
 */
export async function commit(
  session: PageSession,
  build: (base: Cursor) => Cursor,
): Promise<Cursor | undefined> {
  const { cursors, mirror } = session.deps;
  let base = session.cursor;
  let refreshed = false;
  for (let tries = 0; tries < 5; tries++) {
    // Every write moves the version: a writer that read the row before us fails its condition.
    const next = { ...build(base), version: base.version + 1 };
    if (STOPPED.has(base.status)) {
      // Stopped meanwhile (gone, or excluded: its SyncState was dropped so that including it
      // again syncs from scratch): the page does not bring its SyncState back.
      next.status = base.status;
      next.nextJobId = undefined;
      next.statusReason = base.statusReason;
      next.syncState = base.syncState;
    }
    try {
      await cursors.replace(base, next, session.owner);
    } catch (error) {
      if (!(error instanceof StaleCursorError)) throw error;
      const fresh = await cursors.get(base.mailboxId, base.folderId);
      if (!fresh || fresh.lease?.owner !== session.owner || fresh.lease.jobId !== session.job.jobId)
        return undefined;
      base = fresh;
      refreshed = true;
      continue;
    }
    session.cursor = next;
    if (refreshed && next.status === 'gone' && next.kind === 'folder') {
      // Our page may have created items after the hierarchy tombstoned the folder.
      await mirror.tombstoneFolder({
        mailboxId: next.mailboxId,
        folderId: next.folderId,
        pageVersion: next.version,
        generation: next.generation,
        now: session.now,
      });
    }
    return next;
  }
  return undefined;
}

/** Ends the lease without advancing the SyncState. */
function release(
  session: PageSession,
  patch: Partial<Cursor> | ((base: Cursor) => Partial<Cursor>),
): Promise<Cursor | undefined> {
  return commit(session, (base) => ({
    ...base,
    lease: undefined,
    updatedAt: session.now,
    ...(typeof patch === 'function' ? patch(base) : patch),
  }));
}

/** Takes a mailbox slot, waiting briefly in-process for one to free when the clock can sleep. */
async function acquireSlotWaiting(
  deps: CoreDeps,
  mailboxId: string,
  max: number,
  owner: string,
  context: PageContext,
  claim: string,
): Promise<number | undefined> {
  const { registry, clock, config, random } = deps;
  const budget = Math.min(config.slotWaitMs, context.remainingMs() - config.timeReserve.startMs);
  const deadline = clock.now() + Math.max(0, budget);
  let pauseMs = 20;
  for (;;) {
    const now = clock.now();
    const slot = await registry.acquireSlot(mailboxId, max, owner, now + config.leaseMs, now, claim);
    if (slot !== undefined || !clock.sleep || now + pauseMs > deadline) return slot;
    await clock.sleep(pauseMs * (0.5 + random.next()));
    pauseMs = Math.min(pauseMs * 2, 100);
  }
}

/** A lease write that lost a race is decided again on the fresh row, at most this many times. */
const LEASE_RACE_RETRIES = 2;

export async function runLeasedPage<P extends FetchedPage>(
  deps: CoreDeps,
  job: PageJob,
  context: PageContext,
  applier: PageApplier<P>,
  raceRetriesLeft = LEASE_RACE_RETRIES,
): Promise<PageOutcome> {
  const { registry, cursors, clock, random, config, queue } = deps;
  const cursorId = applier.cursorIdOf(job);
  const base = baseOutcome(job, cursorId);

  const mailbox = await registry.get(job.mailboxId);
  if (!mailbox) return { ...base, outcome: 'dropped-missing' };
  if (mailbox.status === 'parked') {
    await endParkedChain(deps, job, cursorId);
    return { ...base, outcome: 'dropped-parked' };
  }
  const now = clock.now();
  if (mailbox.backoffUntil !== undefined && mailbox.backoffUntil > now) {
    // Never call a backed-off mailbox; the same job comes back when the pause is over.
    const delaySeconds = delayUntil(mailbox.backoffUntil, now, config.throttleJitterMs, random);
    await queue.send([{ job, delaySeconds }]);
    return { ...base, outcome: 'backed-off', enqueued: 1, delaySeconds };
  }

  const cursor =
    (await cursors.get(job.mailboxId, cursorId)) ?? (await applier.missingCursor(deps, job, now));
  if (!cursor) return { ...base, outcome: 'dropped-missing' };
  if (STOPPED.has(cursor.status)) return { ...base, outcome: 'dropped-gone' };

  const ownership = decideOwnership(cursor, job, now);
  switch (ownership.kind) {
    case 'resend-follow-up': {
      await queue.send([{ job: followUpJob(job, ownership.nextJobId, cursor.version) }]);
      return { ...base, outcome: 'resent-follow-up', enqueued: 1 };
    }
    case 'redo-completion': {
      // Redelivered after completing: what follows the completion (the hierarchy starting the
      // folder chains) may not have happened. It is idempotent, so run it again.
      if (!applier.afterComplete) return { ...base, outcome: 'dropped-stale' };
      const after = await applier.afterComplete({
        deps,
        job,
        mailbox,
        owner: context.owner,
        requestId: random.id(),
        now,
        fence: cursor.version,
        cursor,
        signal: context.signal,
        freeSlot: async () => {},
        handOffSlot: async () => {},
        keepSlotForFollowUp: () => {},
      });
      return { ...base, ...after, outcome: 'redone-completion' };
    }
    case 'duplicate': {
      const delaySeconds = delayUntil(ownership.leaseUntil, now, config.slotRetry.baseMs, random);
      await queue.send([{ job, delaySeconds }]);
      return { ...base, outcome: 'duplicate', enqueued: 1, delaySeconds };
    }
    case 'stale':
      return { ...base, outcome: 'dropped-stale' };
    case 'acquire':
      break;
  }

  if (context.remainingMs() < config.timeReserve.startMs) {
    await queue.send([{ job, delaySeconds: 1 }]);
    return { ...base, outcome: 'deferred', enqueued: 1, delaySeconds: 1 };
  }
  const owner = `${context.owner}/${random.id()}`;
  const slot = await acquireSlotWaiting(
    deps,
    job.mailboxId,
    mailbox.maxConcurrentSyncs,
    owner,
    context,
    slotClaimFor(job.jobId),
  );
  if (slot === undefined) {
    const { baseMs, capMs } = config.slotRetry;
    const delaySeconds = toDelaySeconds(baseMs + random.next() * (capMs - baseMs));
    await queue.send([{ job, delaySeconds }]);
    return { ...base, outcome: 'no-slot', enqueued: 1, delaySeconds };
  }
  // Who holds the slot now: this page, the follow-up it reserved it for, or nobody.
  let slotHolder: string | undefined = owner;
  let keptForFollowUp = false;
  const freeSlot = async () => {
    if (slotHolder === undefined || keptForFollowUp) return;
    const holder = slotHolder;
    slotHolder = undefined;
    await registry.releaseSlot(job.mailboxId, slot, holder);
  };
  const handOffSlot = async (nextJobId: string) => {
    if (slotHolder !== owner) return;
    const to = slotClaimFor(nextJobId);
    const handed = await registry.handOffSlot(
      job.mailboxId,
      slot,
      owner,
      to,
      clock.now() + config.slotHandoffMs,
    );
    slotHolder = handed ? to : undefined;
  };
  const keepSlotForFollowUp = () => {
    keptForFollowUp = slotHolder !== undefined && slotHolder !== owner;
  };
  try {
    let leased: Cursor = {
      ...cursor,
      version: cursor.version + 1,
      lease: { owner, jobId: job.jobId, until: now + config.leaseMs },
      status: 'syncing',
      updatedAt: now,
    };
    if (ownership.takeover) leased = { ...leased, ...applier.afterDirtyStop(leased) };
    try {
      await cursors.replace(cursor, leased);
    } catch (error) {
      if (!(error instanceof StaleCursorError)) throw error;
      // The row changed since we decided (a page we took over from advanced after all, or the
      // hierarchy wrote): decide again on the fresh row, e.g. re-send the follow-up it promised.
      if (raceRetriesLeft <= 0) return { ...base, outcome: 'dropped-stale' };
      await freeSlot();
      return runLeasedPage(deps, job, context, applier, raceRetriesLeft - 1);
    }
    const session: PageSession = {
      deps,
      job,
      mailbox,
      owner,
      requestId: random.id(),
      now,
      fence: leased.version,
      cursor: leased,
      signal: context.signal,
      freeSlot,
      handOffSlot,
      keepSlotForFollowUp,
    };
    return await runHeldPage(session, applier, context, {
      ...base,
      fence: leased.version,
      requestId: session.requestId,
    });
  } finally {
    await freeSlot();
  }
}

async function runHeldPage<P extends FetchedPage>(
  session: PageSession,
  applier: PageApplier<P>,
  context: PageContext,
  base: Base,
): Promise<PageOutcome> {
  const { deps, job, now } = session;
  const { config, random, queue } = deps;
  // Another worker may have been throttled while we took the slot and the lease: look again,
  // as late as possible, so that no call reaches a paused mailbox.
  const latest = await deps.registry.get(job.mailboxId);
  const pausedUntil = latest?.backoffUntil ?? 0;
  const checkedAt = deps.clock.now();
  if (pausedUntil > checkedAt) {
    const retryId = random.id();
    const written = await release(session, { doneJobId: job.jobId, nextJobId: retryId });
    if (!written) return { ...base, outcome: 'lease-lost' };
    const delaySeconds = delayUntil(pausedUntil, checkedAt, config.throttleJitterMs, random);
    await queue.send([{ job: retryJob(job, retryId, written.version, job.attempt ?? 0), delaySeconds }]);
    return { ...base, outcome: 'backed-off', enqueued: 1, delaySeconds };
  }

  const called = { ...base, pages: 1 };

  let page: P;
  const budget = callBudget(session.signal, context.remainingMs() - config.timeReserve.applyMs);
  try {
    page = await applier.fetch({ ...session, signal: budget.signal });
  } catch (error) {
    const classified = toPageError(error);
    // A throttle is recorded before the slot is freed: a slot freed first could let another
    // worker call the server before the pause is there for it to see.
    const pause =
      classified.kind === 'throttled' ? await pauseMailbox(deps, job.mailboxId, classified) : undefined;
    await session.freeSlot();
    return react(session, applier, called, classified, pause);
  } finally {
    budget.release();
  }
  const hopsExhausted = !page.complete && job.hop + 1 > config.maxHops;
  const promisedJobId = page.complete || hopsExhausted ? undefined : random.id();
  if (promisedJobId) await session.handOffSlot(promisedJobId);
  else await session.freeSlot();

  // A server that claims more while sending nothing never ends a chain by itself: empty pages
  // in a row stop it, whether their state is fresh or the same again. The same state is not
  // final at once: Graph may answer a nextLink with an empty page and the same link, and have
  // the changes at the next try.
  const empty = !page.complete && page.changeCount === 0;
  const emptyPages = empty ? (session.cursor.emptyPages ?? 0) + 1 : undefined;
  const sameState = empty && page.syncState === session.cursor.syncState;
  if ((emptyPages ?? 0) >= config.maxEmptyPages) {
    const error = sameState
      ? {
          kind: 'protocol',
          code: 'SyncStateNotAdvancing',
          message: 'same SyncState returned while more changes were claimed',
        }
      : {
          kind: 'protocol',
          code: 'EmptyPagesNotAdvancing',
          message: `${emptyPages} pages in a row brought no change while more changes were claimed`,
        };
    const written = await release(session, {
      status: 'idle',
      nextJobId: undefined,
      doneJobId: job.jobId,
      lastError: lastError(error, now),
      statusReason: error.code,
      emptyPages: undefined,
    });
    return { ...called, outcome: written ? 'not-advancing' : 'lease-lost', error };
  }

  if (context.remainingMs() < config.timeReserve.applyMs) {
    // Writing items we could not confirm would force a resync: hand the page on instead.
    const retryId = random.id();
    const written = await release(session, { doneJobId: job.jobId, nextJobId: retryId });
    if (!written) return { ...called, outcome: 'lease-lost' };
    await queue.send([{ job: retryJob(job, retryId, written.version, job.attempt ?? 0) }]);
    return { ...called, outcome: 'deferred', enqueued: 1 };
  }

  // Before the advance stamps it anew: when this folder last completed a sync.
  const syncedBefore = session.cursor.lastSyncedAt;
  let details: OutcomeDetails = {};
  let nextJobId: string | undefined;
  let written: Cursor | undefined;
  try {
    details = await applier.apply(session, page);
    if (page.complete) details = { ...details, ...(await applier.beforeComplete?.(session)) };
    nextJobId = promisedJobId;
    const hopError = {
      code: 'MaxHopsExceeded',
      message: `chain stopped after ${job.hop} follow-ups`,
      at: now,
    };
    written = await commit(session, (b) => ({
      ...b,
      syncState: page.syncState,
      lease: undefined,
      status: nextJobId ? 'syncing' : 'idle',
      doneJobId: job.jobId,
      nextJobId,
      pages: b.pages + 1,
      changesApplied: b.changesApplied + page.changeCount,
      emptyPages,
      lastSyncedAt: page.complete ? now : b.lastSyncedAt,
      resyncPending: page.complete ? undefined : b.resyncPending,
      lastError: hopsExhausted ? hopError : undefined,
      statusReason: hopsExhausted ? hopError.code : undefined,
      updatedAt: now,
    }));
  } catch (error) {
    // Items may be written while the SyncState did not advance: only a resync can find items
    // that were created and deleted on the server before the retry (no Delete is ever sent).
    return retryAfterDirtyFailure(session, applier, { ...called, ...details }, toPageError(error));
  }
  const outcome = { ...called, ...details };
  if (!written) return { ...outcome, outcome: 'lease-lost' };
  if (STOPPED.has(written.status)) return { ...outcome, outcome: 'stopped' };
  if (written.lastError?.code === 'MaxHopsExceeded') return { ...outcome, outcome: 'max-hops' };
  if (nextJobId) {
    await queue.send([{ job: followUpJob(job, nextJobId, written.version) }]);
    session.keepSlotForFollowUp();
    return { ...outcome, outcome: 'advanced', enqueued: (outcome.enqueued ?? 0) + 1 };
  }
  const after = await applier.afterComplete?.(session);
  return { ...outcome, ...after, outcome: 'completed', ...lagOf(session, syncedBefore) };
}

async function retryAfterDirtyFailure<P extends FetchedPage>(
  session: PageSession,
  applier: PageApplier<P>,
  outcome: Base,
  error: PageError,
): Promise<PageOutcome> {
  const { job, now, deps } = session;
  const retryId = deps.random.id();
  const attempt = (job.attempt ?? 0) + 1;
  const written = await release(session, (base) => ({
    ...applier.afterDirtyStop(base),
    doneJobId: job.jobId,
    nextJobId: retryId,
    lastError: lastError(error, now),
  }));
  if (!written) return { ...outcome, outcome: 'lease-lost', error };
  const delaySeconds = toDelaySeconds(backoffMs(attempt - 1, deps.config.transientRetry, deps.random));
  await deps.queue.send([{ job: retryJob(job, retryId, written.version, attempt), delaySeconds }]);
  return { ...outcome, outcome: 'retrying', enqueued: outcome.enqueued + 1, delaySeconds, error };
}

/** The reaction to a failed server call, decided by the error kind alone. */
async function react<P extends FetchedPage>(
  session: PageSession,
  applier: PageApplier<P>,
  outcome: Base,
  error: ClassifiedError,
  /** The pause already recorded for a throttle answer. */
  paused?: Pause,
): Promise<PageOutcome> {
  const { deps, job, now } = session;
  const { config, random, queue } = deps;
  const handOver = (retryId: string) => ({
    doneJobId: job.jobId,
    nextJobId: retryId,
    lastError: lastError(error, now),
  });

  switch (error.kind) {
    case 'throttled': {
      const { pauseMs, parkedReason } = paused ?? (await pauseMailbox(deps, job.mailboxId, error));
      if (parkedReason) return releaseParked(session, outcome, error);
      const retryId = random.id();
      const written = await release(session, handOver(retryId));
      if (!written) return { ...outcome, outcome: 'lease-lost', error };
      const delaySeconds = toDelaySeconds(pauseMs);
      await queue.send([{ job: retryJob(job, retryId, written.version, job.attempt ?? 0), delaySeconds }]);
      return { ...outcome, outcome: 'throttled', enqueued: 1, delaySeconds, backoffMs: pauseMs, error };
    }
    case 'transient':
    case 'protocol': {
      const attempt = (job.attempt ?? 0) + 1;
      if (attempt >= config.transientRetry.maxAttempts) {
        const written = await release(session, {
          status: 'idle',
          doneJobId: job.jobId,
          nextJobId: undefined,
          lastError: lastError(error, now),
          statusReason: 'RetriesExhausted',
        });
        return { ...outcome, outcome: written ? 'gave-up' : 'lease-lost', error };
      }
      const retryId = random.id();
      const written = await release(session, handOver(retryId));
      if (!written) return { ...outcome, outcome: 'lease-lost', error };
      const delaySeconds = toDelaySeconds(backoffMs(attempt - 1, config.transientRetry, random));
      await queue.send([{ job: retryJob(job, retryId, written.version, attempt), delaySeconds }]);
      return { ...outcome, outcome: 'retrying', enqueued: 1, delaySeconds, error };
    }
    case 'invalidSyncState': {
      const retryId = random.id();
      const written = await release(session, (base) => ({
        ...applier.resetForResync(base),
        ...handOver(retryId),
      }));
      if (!written) return { ...outcome, outcome: 'lease-lost', error };
      const delaySeconds = toDelaySeconds(random.next() * config.resyncJitterMs);
      await queue.send([{ job: retryJob(job, retryId, written.version, 0), delaySeconds }]);
      return { ...outcome, outcome: 'resync', enqueued: 1, error };
    }
    case 'folderNotFound':
      return applier.onFolderNotFound(session, error);
    case 'auth':
    case 'permanent':
      return parkMailbox(session, outcome, error);
  }
}

export async function parkMailbox(
  session: PageSession,
  outcome: Base,
  error: PageError,
): Promise<PageOutcome> {
  const { deps, job, now } = session;
  await deps.registry.park(job.mailboxId, serverText(`${error.code}: ${error.message}`), now);
  return releaseParked(session, outcome, error);
}

/** The mailbox is parked: the chain ends here, the cursor says why. */
async function releaseParked(session: PageSession, outcome: Base, error: PageError): Promise<PageOutcome> {
  const { job, now } = session;
  const written = await release(session, {
    status: 'idle',
    doneJobId: job.jobId,
    nextJobId: undefined,
    lastError: lastError(error, now),
    statusReason: 'MailboxParked',
  });
  return { ...outcome, outcome: written ? 'parked' : 'lease-lost', error };
}

/** Stops the chain for good: the folder is gone. */
export async function markGone(session: PageSession, error: PageError): Promise<Cursor | undefined> {
  return release(session, {
    status: 'gone',
    statusReason: error.code,
    doneJobId: session.job.jobId,
    nextJobId: undefined,
    lastError: lastError(error, session.now),
  });
}

export { baseOutcome };

/** How far behind the folder's mirror could have been: since its previous completed sync. */
function lagOf(session: PageSession, syncedBefore: number | undefined): Pick<PageOutcome, 'lagMs'> {
  if (session.job.type !== 'folder' || syncedBefore === undefined) return {};
  return { lagMs: Math.max(0, session.now - syncedBefore) };
}

/**
 * A chain's job arrives for a parked mailbox: the chain ends here, and its cursor says so (idle,
 * `MailboxParked`) instead of staying `syncing` until stuck detection. Only the job the chain
 * promised (or the one issued for the cursor's version) may end it; a stale copy changes nothing.
 */
async function endParkedChain(deps: CoreDeps, job: PageJob, cursorId: string): Promise<void> {
  const cursor = await deps.cursors.get(job.mailboxId, cursorId);
  if (cursor?.status !== 'syncing') return;
  if (leaseIsLive(cursor, deps.clock.now())) return;
  if (cursor.nextJobId !== job.jobId && cursor.version !== job.expectVersion) return;
  const next: Cursor = {
    ...cursor,
    version: cursor.version + 1,
    status: 'idle',
    lease: undefined,
    nextJobId: undefined,
    doneJobId: job.jobId,
    statusReason: 'MailboxParked',
    updatedAt: deps.clock.now(),
  };
  try {
    await deps.cursors.replace(cursor, next);
  } catch (error) {
    // Someone else wrote the cursor meanwhile: theirs is the newer word.
    if (!(error instanceof StaleCursorError)) throw error;
  }
}
