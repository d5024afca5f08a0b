// "Start a chain unless one is running": `sync-now` and the dead-letter redrive both start chains
// through here. It uses the core's own rules (needsChain, startJob) with a zero sync interval, so
// an explicit request ignores "synced recently" but never starts a second chain beside one that
// is under way (a syncing cursor is restarted only once the core would call it stuck, or when the
// caller holds the very job the chain waits on, see ChainPlanOptions.deadJobId).
import type { CoreDeps } from '../deps.js';
import { newHierarchyCursor } from '../hierarchy/folder-cursors.js';
import { startJob } from '../jobs/builders.js';
import { type Cursor, HIERARCHY_CURSOR_ID, type Mailbox } from '../model.js';
import type { Enqueue } from '../ports.js';
import { leaseIsLive, needsChain } from '../schedule/due.js';

/** start: a first job may go; running: a chain is under way; closed: gone or excluded folder. */
export type ChainPlan = 'start' | 'running' | 'closed';

export interface ChainPlanOptions {
  /**
   * A job the caller took out of circulation for good (a dead letter). A chain whose only way on
   * is that job (its promised follow-up, or the holder of an expired lease) is dead, not
   * running, even before stuck detection would say so.
   */
  deadJobId?: string;
}

/** Whether a cursor may get a new chain now (the rule both callers share). */
export function planChain(
  deps: Pick<CoreDeps, 'config'>,
  cursor: Cursor,
  now: number,
  options: ChainPlanOptions = {},
): ChainPlan {
  // Gone and excluded folders never get a chain; idle and syncing ones may.
  if (cursor.stop) return 'closed';
  if (options.deadJobId !== undefined && waitsOnlyFor(cursor, options.deadJobId, now)) return 'start';
  return needsChain(cursor, now, { ...deps.config, syncIntervalMs: 0 }) ? 'start' : 'running';
}

function waitsOnlyFor(cursor: Cursor, jobId: string, now: number): boolean {
  if (cursor.status !== 'syncing' || leaseIsLive(cursor, now)) return false;
  return cursor.lease ? cursor.lease.jobId === jobId : cursor.nextJobId === jobId;
}

/**
 * Enqueues the first job of a chain for each cursor. A duplicate of a chain started elsewhere
 * (the tick, a hierarchy completion) is harmless: both carry the same expected version, so
 * whichever takes the lease first makes the other stale.
 */
export async function startChains(
  deps: Pick<CoreDeps, 'queue' | 'random'>,
  cursors: Cursor[],
): Promise<void> {
  const entries: Enqueue[] = cursors.map((cursor) => ({ job: startJob(cursor, deps.random) }));
  if (entries.length > 0) await deps.queue.send(entries);
}

export interface SyncNowResult {
  mailboxId: string;
  /** A hierarchy job was enqueued (it discovers new folders, then starts their chains). */
  hierarchy: boolean;
  /** Folder jobs enqueued directly. */
  folderJobs: number;
  /** Cursors left alone because a chain is already under way on them. */
  alreadySyncing: number;
  /** Why nothing was enqueued for the mailbox. */
  skipped?: 'parked';
}

/** `sync-now` for one mailbox: its hierarchy and every folder that has no chain under way. */
export async function syncMailboxNow(deps: CoreDeps, mailbox: Mailbox, now: number): Promise<SyncNowResult> {
  const result: SyncNowResult = {
    mailboxId: mailbox.mailboxId,
    hierarchy: false,
    folderJobs: 0,
    alreadySyncing: 0,
  };
  // A parked mailbox's jobs would only be dropped by the worker.
  if (mailbox.status !== 'enabled') return { ...result, skipped: 'parked' };
  await deps.cursors.create(newHierarchyCursor(mailbox.mailboxId, HIERARCHY_CURSOR_ID, now));
  const toStart: Cursor[] = [];
  for (const cursor of await deps.cursors.listByMailbox(mailbox.mailboxId)) {
    const plan = planChain(deps, cursor, now);
    if (plan === 'running') result.alreadySyncing++;
    if (plan !== 'start') continue;
    toStart.push(cursor);
    if (cursor.kind === 'hierarchy') result.hierarchy = true;
    else result.folderJobs++;
  }
  await startChains(deps, toStart);
  return result;
}
