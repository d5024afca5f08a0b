// `dlq redrive`: each dead-lettered page job is planned again from its mailbox and folder, through
// the same "start a chain unless one is running" rule as sync-now, instead of being replayed: a
// replayed job carries a version its chain has passed and would be dropped as stale. Then the
// dead letter is deleted. What cannot be planned (not a job, a mailbox or folder gone, a parked
// mailbox) is reported and kept unless the operator asked to drop it.
import type { CoreDeps } from '../deps.js';
import { newHierarchyCursor } from '../hierarchy/folder-cursors.js';
import type { PageJob } from '../jobs/builders.js';
import { type Cursor, HIERARCHY_CURSOR_ID } from '../model.js';
import type { DeadLetterQueue } from './dead-letter-ports.js';
import { type DeadLetterView, describeDeadLetter, visitDeadLetters } from './dead-letters.js';
import { planChain, startChains } from './sync-now.js';

export type RedriveDeps = Pick<CoreDeps, 'registry' | 'cursors' | 'queue' | 'random' | 'config' | 'clock'> & {
  deadLetters: DeadLetterQueue;
};

/**
 * started: a fresh chain was started. running: a chain is under way, nothing to start.
 * superseded: a fan-out continuation; every tick scans the registry again. invalid: not a job.
 * orphan: its mailbox is gone, or its folder is gone, excluded or unknown. parked: its mailbox is
 * parked (unpark it, then redrive again: a parked mailbox's job would only be dropped).
 */
export type RedriveAction = 'started' | 'running' | 'superseded' | 'invalid' | 'orphan' | 'parked';

export interface RedriveEntry extends DeadLetterView {
  action: RedriveAction;
  /** Whether the dead letter was deleted (in a dry run: would be) or left in the queue. */
  letter: 'deleted' | 'kept';
}

export interface RedriveOptions {
  /** At most this many dead letters are looked at. */
  limit: number;
  /** Say what would happen; start nothing, delete nothing. */
  dryRun?: boolean;
  /** Delete messages that are not jobs (they are kept otherwise). */
  dropInvalid?: boolean;
  /** Delete jobs whose mailbox or folder is gone (they are kept otherwise). */
  dropOrphans?: boolean;
  /** Told about each dead letter once it is dealt with. */
  onEntry?(entry: RedriveEntry): void;
}

export interface RedriveResult {
  dryRun: boolean;
  entries: RedriveEntry[];
}

/** Messages stay hidden this long while the pass runs: a pass that dies gives them back soon. */
const HIDE_SECONDS = 120;

const ALWAYS_DELETED: ReadonlySet<RedriveAction> = new Set(['started', 'running', 'superseded']);

export async function redriveDeadLetters(deps: RedriveDeps, options: RedriveOptions): Promise<RedriveResult> {
  const dryRun = options.dryRun ?? false;
  const entries: RedriveEntry[] = [];
  // Cursors this pass started a chain for: a second dead letter of the same folder finds it running.
  const started = new Set<string>();
  await visitDeadLetters(
    deps.deadLetters,
    { limit: options.limit, hideSeconds: HIDE_SECONDS },
    async (letter) => {
      const { job, ...view } = describeDeadLetter(letter);
      const action: RedriveAction = !job
        ? 'invalid'
        : job.type === 'fanout'
          ? 'superseded'
          : await replan(deps, job, dryRun, started);
      const drop =
        ALWAYS_DELETED.has(action) ||
        (action === 'invalid' && options.dropInvalid === true) ||
        (action === 'orphan' && options.dropOrphans === true);
      // Deleted only after the new chain is enqueued: a pass that dies in between leaves the letter,
      // and the next pass finds the chain running.
      if (drop && !dryRun) await deps.deadLetters.delete(letter);
      const entry: RedriveEntry = { ...view, action, letter: drop ? 'deleted' : 'kept' };
      entries.push(entry);
      options.onEntry?.(entry);
      return drop && !dryRun ? 'deleted' : 'kept';
    },
  );
  return { dryRun, entries };
}

/** Plans the job's cursor again; starts its chain unless one is running (not in a dry run). */
async function replan(
  deps: RedriveDeps,
  job: PageJob,
  dryRun: boolean,
  started: Set<string>,
): Promise<RedriveAction> {
  const mailbox = await deps.registry.get(job.mailboxId);
  if (!mailbox) return 'orphan';
  if (mailbox.status !== 'enabled') return 'parked';
  const now = deps.clock.now();
  const cursor = await cursorOf(deps, job, now, dryRun);
  if (!cursor) return 'orphan';
  const plan = planChain(deps, cursor, now, { deadJobId: job.jobId });
  if (plan === 'closed') return 'orphan';
  const key = JSON.stringify([cursor.mailboxId, cursor.folderId]);
  if (plan === 'running' || started.has(key)) return 'running';
  if (!dryRun) await startChains(deps, [cursor]);
  started.add(key);
  return 'started';
}

/**
 * The job's cursor. A hierarchy cursor the scheduler has not made yet is made here, as sync-now
 * does; a folder the hierarchy never recorded (or a purge removed) has none.
 */
async function cursorOf(
  deps: RedriveDeps,
  job: PageJob,
  now: number,
  dryRun: boolean,
): Promise<Cursor | undefined> {
  if (job.type === 'folder') return deps.cursors.get(job.mailboxId, job.folderId);
  const fresh = newHierarchyCursor(job.mailboxId, HIERARCHY_CURSOR_ID, now);
  if (!dryRun && (await deps.cursors.create(fresh))) return fresh;
  return (await deps.cursors.get(job.mailboxId, HIERARCHY_CURSOR_ID)) ?? fresh;
}
