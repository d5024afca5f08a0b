// The cursor as a page holds it: who may run a job against it, the lease (whose version fences
// every item write of the page), the lease holder's writes (commit, release, advance), and the
// hand-over of a chain to a retry job. Every write of the holder moves the version and names
// only the page's fields; the hierarchy's writes name only the folder facts and move no version,
// so they never fail the holder's writes, except a stop (PROTOCOL.md says why).
import type { CoreDeps } from '../deps.js';
import { type PageJob, retryJob, withoutLane } from '../jobs/builders.js';
import { type Cursor, isStopped } from '../model.js';
import type { PageError } from '../outcome.js';
import { StaleCursorError } from '../ports.js';
import { leaseIsLive } from '../schedule/due.js';
import { continueLane, laneOf } from '../schedule/lanes.js';
import type { FetchedPage, PageSession } from './page-applier.js';

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
  // The follow-up this job's delivery promised is lost: never sent, or (run in the same
  // invocation, see inline-chain.ts) its invocation died holding a lease that has since expired.
  const followUpLost =
    !cursor.lease || (cursor.lease.jobId === cursor.nextJobId && !leaseIsLive(cursor, now));
  if (
    cursor.doneJobId === job.jobId &&
    cursor.nextJobId !== undefined &&
    cursor.status === 'syncing' &&
    followUpLost
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

export function lastError(error: PageError, at: number): NonNullable<Cursor['lastError']> {
  return { code: error.code, message: error.message, at };
}

/**
 * Takes the lease: version + 1 (the fence of the page), status syncing. A takeover of a dead
 * lease starts from what `afterDirtyStop` says, since the dead page may have written items.
 * Returns undefined when the row changed since it was read (the caller decides again).
 */
export async function takeLease(
  deps: CoreDeps,
  cursor: Cursor,
  job: PageJob,
  owner: string,
  now: number,
  dirtyStop: ((cursor: Cursor) => Partial<Cursor>) | undefined,
): Promise<Cursor | undefined> {
  let leased: Cursor = {
    ...cursor,
    version: cursor.version + 1,
    lease: { owner, jobId: job.jobId, until: now + deps.config.leaseMs },
    status: 'syncing',
    updatedAt: now,
  };
  if (dirtyStop) leased = { ...leased, ...dirtyStop(leased) };
  try {
    await deps.cursors.replace(cursor, leased);
    return leased;
  } catch (error) {
    if (!(error instanceof StaleCursorError)) throw error;
    return undefined;
  }
}

/**
 * Writes the cursor as the lease holder (an unleased idle page: on the version it read), in one
 * conditional write with no re-read: the hierarchy's writes name no page field and leave the
 * version alone, so only two things fail it, and both end the page. The lease was lost (another
 * page took over: its resync redoes what this page wrote), or the folder was stopped (its close
 * tombstones what this page wrote, and refuses what it would write). One read tells which
 * (`session.stopped`). Returns undefined when the write failed.
 */
export async function commit(
  session: PageSession,
  build: (base: Cursor) => Cursor,
): Promise<Cursor | undefined> {
  const { cursors } = session.deps;
  const base = session.cursor;
  const next = { ...build(base), version: base.version + 1 };
  try {
    await cursors.replace(base, next, session.unleased ? undefined : session.owner);
  } catch (error) {
    if (!(error instanceof StaleCursorError)) throw error;
    // Stopped while this page still held the lease: the stop ended it. Otherwise it was lost.
    const fresh = await cursors.get(base.mailboxId, base.folderId);
    const held = session.unleased || fresh?.lease?.owner === session.owner;
    if (fresh && isStopped(fresh) && held) session.stopped = true;
    return undefined;
  }
  session.cursor = next;
  return next;
}

/** What a page whose write failed reports: stopped by the hierarchy, or its lease lost. */
export const failedWriteOutcome = (session: PageSession): 'stopped' | 'lease-lost' =>
  session.stopped ? 'stopped' : 'lease-lost';

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

/**
 * Ends the chain at this job: the lease goes, no follow-up is promised, the cursor says why and
 * is idle until the next tick starts a chain again.
 */
export function endChain(
  session: PageSession,
  error: PageError,
  statusReason: string,
  extra: Partial<Cursor> = {},
): Promise<Cursor | undefined> {
  return release(session, {
    status: 'idle',
    statusReason,
    doneJobId: session.doneJobId,
    nextJobId: undefined,
    lastError: lastError(error, session.now),
    ...extra,
  });
}

export interface Handover {
  /** The retry job's `attempt` (what its back-off and the retry limit count). */
  attempt: number;
  /** The cursor fields the retry starts from (a resync, a dirty stop), built on the row as read. */
  reset?: (base: Cursor) => Partial<Cursor>;
  /** Recorded as the cursor's lastError (a hand-over for lack of time or a pause records none). */
  error?: PageError;
  /** The retry's delay, decided once the release is written (undefined: none). */
  delaySeconds?: () => number;
  /**
   * The retry waits for this folder alone (its own back-off, a resync's jitter): the lane it
   * carries goes on without it, so the folders behind it do not wait too. Not for a mailbox's
   * pause, which every folder waits out.
   */
  handLaneOn?: boolean;
}

/**
 * Releases the lease and hands the chain to a new job for the same page. The release names the
 * retry (`doneJobId = job`, `nextJobId = retry`) in the same write, so a lost retry message is
 * re-sent by the redelivery of this job (decideOwnership: resend-follow-up). Returns the delay
 * the retry was sent with, or undefined when the lease was lost (nothing sent).
 */
export async function handOverToRetry(
  session: PageSession,
  handover: Handover,
): Promise<{ delaySeconds?: number; handedOn?: number } | undefined> {
  const { job, now, deps } = session;
  const { reset, error } = handover;
  const retryId = deps.random.id();
  const written = await release(session, (base) => ({
    ...reset?.(base),
    // Syncing: a chain with a job promised, so a redelivery of this job re-sends a lost retry
    // (an idle page hands over from a row that still says idle).
    status: 'syncing',
    doneJobId: session.doneJobId,
    nextJobId: retryId,
    ...(error ? { lastError: lastError(error, now) } : {}),
  }));
  if (!written) return undefined;
  let retry = retryJob(job, retryId, written.version, handover.attempt);
  // Not when the lane already went on (a complete answer whose writes then failed).
  const lane = handover.handLaneOn && !session.laneWentOn ? laneOf(job) : undefined;
  let handedOn = 0;
  if (lane) {
    // The lane first, as a chain hands it on (a crash before the retry is sent: the redelivery
    // re-sends the follow-up with the lane, and a second start of a folder is dropped stale).
    retry = withoutLane(retry);
    handedOn = (await continueLane(deps, job.mailboxId, lane, deps.random.id())) ? 1 : 0;
  }
  const delaySeconds = handover.delaySeconds?.();
  await deps.queue.send([delaySeconds === undefined ? { job: retry } : { job: retry, delaySeconds }]);
  return { ...(delaySeconds === undefined ? {} : { delaySeconds }), ...(handedOn ? { handedOn } : {}) };
}

/**
 * The advance: the page's SyncState, the lease removed, `doneJobId` and the promised follow-up
 * in one conditional write. Past `maxHops` (no follow-up promised) the chain stops here.
 */
export function advance(
  session: PageSession,
  page: FetchedPage,
  next: {
    nextJobId: string | undefined;
    emptyPages: number | undefined;
    hopsExhausted: boolean;
    /** The applier's own fields (PageApplier.advanceFields). */
    fields?: (base: Cursor) => Partial<Cursor>;
  },
): Promise<Cursor | undefined> {
  const { job, now } = session;
  const { nextJobId, emptyPages, hopsExhausted } = next;
  const hopError = {
    code: 'MaxHopsExceeded',
    message: `chain stopped after ${job.hop} follow-ups`,
    at: now,
  };
  return commit(session, (b) => ({
    ...b,
    syncState: page.syncState,
    lease: undefined,
    status: nextJobId ? 'syncing' : 'idle',
    doneJobId: session.doneJobId,
    nextJobId,
    pages: b.pages + 1,
    changesApplied: b.changesApplied + page.changeCount,
    emptyPages,
    lastSyncedAt: page.complete ? now : b.lastSyncedAt,
    resyncPending: page.complete ? undefined : b.resyncPending,
    lastError: hopsExhausted ? hopError : undefined,
    statusReason: hopsExhausted ? hopError.code : undefined,
    updatedAt: now,
    ...next.fields?.(b),
  }));
}
