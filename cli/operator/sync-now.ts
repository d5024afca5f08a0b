// `sync-now`: starts chains at once instead of at the next tick. It uses the core's own rules
// (needsChain, startJob) with a zero sync interval, so an explicit request ignores "synced
// recently" but still never starts a second chain beside one that is under way (a syncing cursor
// is only restarted once the core would call it stuck).
import {
  type CoreDeps,
  type Enqueue,
  HIERARCHY_CURSOR_ID,
  type Mailbox,
  needsChain,
  newHierarchyCursor,
  startJob,
} from '../../lib/core/index.js';

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

export async function syncMailboxNow(deps: CoreDeps, mailbox: Mailbox, now: number): Promise<SyncNowResult> {
  const result: SyncNowResult = {
    mailboxId: mailbox.mailboxId,
    hierarchy: false,
    folderJobs: 0,
    alreadySyncing: 0,
  };
  // A parked mailbox's jobs would only be dropped by the worker.
  if (mailbox.status !== 'enabled') return { ...result, skipped: 'parked' };
  const anytime = { ...deps.config, syncIntervalMs: 0 };
  await deps.cursors.create(newHierarchyCursor(mailbox.mailboxId, HIERARCHY_CURSOR_ID, now));
  const entries: Enqueue[] = [];
  for (const cursor of await deps.cursors.listByMailbox(mailbox.mailboxId)) {
    // Gone and excluded folders never get a chain; idle and syncing ones may.
    if (cursor.status !== 'idle' && cursor.status !== 'syncing') continue;
    if (!needsChain(cursor, now, anytime)) {
      result.alreadySyncing++;
      continue;
    }
    entries.push({ job: startJob(cursor, deps.random) });
    if (cursor.kind === 'hierarchy') result.hierarchy = true;
    else result.folderJobs++;
  }
  // A duplicate of a chain the hierarchy job starts too is harmless: both carry the same
  // expected version, so whichever takes the lease first makes the other stale.
  if (entries.length > 0) await deps.queue.send(entries);
  return result;
}
