// Use case: one page of item changes for one folder (the protocol: lib/core/PROTOCOL.md).
import type { CoreDeps, PageContext } from '../deps.js';
import { stopFolder } from '../hierarchy/folder-stops.js';
import type { FolderJob, PageJob } from '../jobs/builders.js';
import type { Cursor } from '../model.js';
import type { PageOutcome, PageOutcomeKind } from '../outcome.js';
import {
  baseOutcome,
  type FetchedPage,
  fetchedPage,
  hasLaneAfter,
  mayRunInline,
  type PageApplier,
  type PageSession,
  runLeasedPage,
  startReadAhead,
} from '../page/index.js';
import type { ItemPage, MirrorWrite } from '../ports.js';
import { continueLane, laneOf, nextOfLane } from '../schedule/lanes.js';

type FetchedItems = FetchedPage & { page: ItemPage };

/** Periodic resyncs are spread ±10% so that folders first synced together do not resync together. */
const RESYNC_SPREAD = 0.1;

function mirrorWrite(session: PageSession): MirrorWrite {
  const { cursor } = session;
  return {
    mailboxId: cursor.mailboxId,
    folderId: cursor.folderId,
    pageVersion: session.fence,
    generation: cursor.generation,
    now: session.now,
  };
}

/** Start over from an empty SyncState, stamping items with a new generation; sweep at the end. */
function resync(cursor: Cursor): Partial<Cursor> {
  return { generation: cursor.generation + 1, syncState: undefined, resyncPending: true };
}

const folderApplier: PageApplier<FetchedItems> = {
  type: 'folder',
  cursorIdOf: (job) => (job as FolderJob).folderId,
  missingCursor: async () => undefined,
  // A source sends no delete for an item created and deleted after the state we retry from (EWS
  // and Graph alike), so an item the interrupted page wrote could stay forever: a resync (with
  // its sweep) removes it.
  afterDirtyStop: resync,
  resetForResync: resync,

  // A chain's first page from a stored state, with no sweep pending: mostly "nothing new" on an
  // idle tick, which then costs one cursor write instead of a lease and an advance.
  mayCallBeforeLease: (cursor, job) =>
    job.hop === 0 && cursor.syncState !== undefined && !cursor.resyncPending,

  // Only at a chain's first page: a running chain is never restarted.
  resyncDue: (deps, mailbox, cursor, job, now) =>
    job.hop === 0 &&
    cursor.syncState !== undefined &&
    !cursor.resyncPending &&
    cursor.resyncDueAt !== undefined &&
    now >= cursor.resyncDueAt &&
    deps.mailSource.resyncAfterMs?.(mailbox) !== undefined,

  advanceFields(session, base) {
    const period = session.deps.mailSource.resyncAfterMs?.(session.mailbox);
    // Anything but a positive number of milliseconds (a wrapper that made it a Promise) is none.
    if (typeof period !== 'number' || !(period > 0) || !Number.isFinite(period))
      return { resyncDueAt: undefined };
    // A page fetched from scratch starts a new period; so does the first advance of a cursor
    // written before the source asked for periodic resyncs.
    if (session.cursor.syncState !== undefined && base.resyncDueAt !== undefined) return {};
    const spread = 1 - RESYNC_SPREAD + 2 * RESYNC_SPREAD * session.deps.random.next();
    return { resyncDueAt: session.now + Math.round(period * spread) };
  },

  async fetch(session) {
    const { mailbox, cursor, requestId, signal, onAnswer } = session;
    const page = await session.deps.mailSource.syncItems({
      mailbox,
      folderId: cursor.folderId,
      folderKind: cursor.folderKind,
      syncState: cursor.syncState,
      requestId,
      signal,
      onAnswer,
    });
    return fetchedPage(page);
  },

  async apply(session, { page }) {
    if (page.changes.length === 0) return {};
    return { changes: await session.deps.mirror.apply(mirrorWrite(session), page.changes) };
  },

  // The lane goes on before this page's writes: its next folder needs none of them.
  startsMoreOnCompletion: () => false,

  // The next folder of the lane, with this page's slot; a retry of the page sends it again, and
  // the second start of the same version is dropped stale. When this invocation may run another
  // page, the next folder runs here (no queue message, the slot passes in memory); a crash then
  // loses the rest of the lane until the next tick deals its folders again (PROTOCOL.md).
  async startOnCompleteCall(session, context) {
    const lane = laneOf(session.job);
    if (!lane) return {};
    const { deps, job } = session;
    const next = await nextOfLane(deps, job.mailboxId, lane, session.successorId);
    if (!next) return {};
    if (context.chain && mayRunInline(deps, session, context)) {
      // Its first call goes out now, while this page writes.
      runLaneFolderNext(session, context, next);
      return {};
    }
    await deps.queue.send([{ job: next.job }]);
    await session.keepSlotForSuccessor();
    return { enqueued: 1 };
  },

  async beforeComplete(session) {
    // Sweep before the advance that clears resyncPending: a crash in between repeats the sweep
    // (idempotent) instead of losing it.
    if (!session.cursor.resyncPending) return {};
    return { swept: await session.deps.mirror.sweep(mirrorWrite(session)) };
  },

  async onFolderNotFound(session, error) {
    // The stop, while this page holds the lease (a page that lost it leaves the folder to the
    // chain that took over), then the close above every fence (hierarchy/folder-stops.ts).
    const { cursor, now, owner } = session;
    const stop = { reason: 'gone' as const, code: error.code };
    const stopped = await stopFolder(session.deps, cursor, stop, now, owner);
    const base = baseOutcome(session.job, cursor.folderId);
    return {
      ...base,
      pages: 1,
      fence: session.fence,
      requestId: session.requestId,
      outcome: stopped ? 'gone' : 'lease-lost',
      tombstoned: stopped?.tombstoned ?? 0,
      error,
    };
  },
};

/**
 * Leaves a lane's folder to run next in this invocation (the caller checked `mayRunInline`), with
 * the slot in memory and the cursor it was started for, and starts its first call now, while the
 * page that started it still works (the folder before it in the lane, or the hierarchy's
 * completion for a lane's first folder).
 */
export function runLaneFolderNext(
  session: PageSession,
  context: PageContext,
  next: { job: PageJob; cursor: Cursor },
): void {
  if (!context.chain) return;
  const slotPassed = session.keepSlotInline(next.job.jobId);
  context.chain.next = next.job;
  context.chain.cursor = { forJobId: next.job.jobId, cursor: next.cursor };
  // A call needs a slot: a page holding none (a redone completion) leaves the folder to take one.
  if (!slotPassed) return;
  startReadAhead(session, folderApplier, context, {
    jobId: next.job.jobId,
    cursorId: next.cursor.folderId,
    cursor: next.cursor,
    continuesChain: false,
    laneAfter: hasLaneAfter(next.job),
  });
}

/**
 * Outcomes that end the folder's chain other than by completing it: its lane goes on. Not the
 * ones where another job goes on with the chain (stale, lease lost: that job carries the lane
 * too) or where the mailbox stops (parked, missing: the next tick starts what is due).
 */
const LANE_GOES_ON: ReadonlySet<PageOutcomeKind> = new Set([
  'gave-up',
  'gone',
  'not-advancing',
  'max-hops',
  'stopped',
  'dropped-gone',
]);

/** Runs one page of a folder's item sync. Never throws for mail-source errors (they are reactions). */
export async function syncFolderPage(
  deps: CoreDeps,
  job: FolderJob,
  context: PageContext,
): Promise<PageOutcome> {
  const outcome = await runLeasedPage(deps, job, context, folderApplier);
  // These outcomes send nothing else: a job sent is the lane, handed on after the call already.
  if (!job.lane || !LANE_GOES_ON.has(outcome.outcome) || outcome.enqueued > 0) return outcome;
  const sent = await continueLane(deps, job.mailboxId, job.lane, deps.random.id());
  return sent ? { ...outcome, enqueued: outcome.enqueued + 1 } : outcome;
}
