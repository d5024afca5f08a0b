// Lanes: how a mailbox's due folders start as its slots free instead of all at once. The end of
// a hierarchy sync splits the folders that need a chain into lanes (laneCount); a lane is a list
// of folder ids carried by the jobs of the chain that runs it. When the server says that chain is
// complete (before the page's writes) the next folder of the lane starts, with the slot the chain
// held; a chain that ends otherwise hands the lane on too. So a mailbox with 300 folders and 4
// slots runs 4 chains at a time, and their jobs rarely meet a full mailbox. No row holds the
// lanes: a lane lost with a job (a crash in between the page's steps that no redelivery repeats)
// leaves its folders due, and the next tick's hierarchy completion starts them. A lane never
// starts a folder twice: its start job is issued for the cursor's version, so of two lanes that
// meet at one folder only one takes the lease, and the other (dropped stale) ends there.
import type { CoreDeps } from '../deps.js';
import { type FolderJob, MAX_LANE_FOLDERS, type PageJob, startJob } from '../jobs/builders.js';
import type { Cursor } from '../model.js';
import type { Enqueue, Random } from '../ports.js';
import { needsChain } from './due.js';

/** Never synced first, then the longest unsynced, then by id: the order folders start in. */
function startOrder(a: Cursor, b: Cursor): number {
  const since = (c: Cursor) => c.lastSyncedAt ?? Number.NEGATIVE_INFINITY;
  return since(a) - since(b) || (a.folderId < b.folderId ? -1 : a.folderId > b.folderId ? 1 : 0);
}

/**
 * How many folders synced before share a lane, where a folder never synced (or due a resync from
 * scratch) has one to itself, up to the slots. Most pages of an idle tick are one call that
 * finds nothing new (about 0.1-0.3 s), so one lane walks 32 of them in a few seconds, and each
 * lane costs a slot taken and freed (two writes) and a queue message: at 4 lanes those were 0.3
 * of a write per idle folder, a sixth of its cost. A synced folder with a backlog does not hold
 * its lane up for long: its chain hands the lane on at LANE_RELEASE_HOP.
 */
export const SYNCED_FOLDERS_PER_LANE = 32;

/**
 * A folder whose chain is likely long: never synced, or starting over from scratch (a reset or a
 * SyncState the server refused). Told from fields every reader has (the scheduler's store omits
 * SyncStates).
 */
const startsFromScratch = (c: Cursor) => c.lastSyncedAt === undefined || c.resyncPending === true;

/**
 * How many lanes: one per folder that starts from scratch plus one per SYNCED_FOLDERS_PER_LANE
 * others, at most one per slot (more when a lane would carry over MAX_LANE_FOLDERS).
 */
export function laneCount(folders: readonly Cursor[], slots: number): number {
  const scratch = folders.filter(startsFromScratch).length;
  const wanted = scratch + Math.ceil((folders.length - scratch) / SYNCED_FOLDERS_PER_LANE);
  const floor = Math.ceil(folders.length / (MAX_LANE_FOLDERS + 1));
  return Math.min(folders.length, Math.max(Math.min(slots, wanted), floor));
}

/**
 * The first job of each lane for the folders that need a chain (`laneCount` lanes). Folder i
 * goes to lane i mod lanes, so the oldest start first. `firstJobId` names the first lane's job:
 * the slot its caller reserved under that name.
 */
export function planLanes(folders: Cursor[], slots: number, random: Random, firstJobId?: string): Enqueue[] {
  const ordered = [...folders].sort(startOrder);
  const count = laneCount(ordered, slots);
  const lanes = Array.from({ length: count }, (_, lane) => ordered.filter((_c, i) => i % count === lane));
  return lanes.map(([first, ...rest], i) => ({
    job: startJob(first!, random, {
      jobId: i === 0 ? firstJobId : undefined,
      lane: rest.map((c) => c.folderId),
    }),
  }));
}

/**
 * Starts the next folder of `lane` that still needs a chain, handing it the rest of the lane;
 * folders that no longer need one (started by another lane, synced, gone) are passed over.
 * Returns whether a job was sent (under `jobId`).
 */
export async function continueLane(
  deps: CoreDeps,
  mailboxId: string,
  lane: readonly string[],
  jobId: string,
): Promise<boolean> {
  const next = await nextOfLane(deps, mailboxId, lane, jobId);
  if (next) await deps.queue.send([{ job: next.job }]);
  return next !== undefined;
}

/**
 * The start job (under `jobId`) of the lane's next folder that still needs a chain, with the
 * cursor it was issued for; undefined when none does.
 */
export async function nextOfLane(
  deps: CoreDeps,
  mailboxId: string,
  lane: readonly string[],
  jobId: string,
): Promise<{ job: PageJob; cursor: Cursor } | undefined> {
  for (let i = 0; i < lane.length; i++) {
    const cursor = await deps.cursors.get(mailboxId, lane[i]!);
    if (cursor?.kind !== 'folder' || !needsChain(cursor, deps.clock.now(), deps.config)) continue;
    return { job: startJob(cursor, deps.random, { jobId, lane: lane.slice(i + 1) }) as PageJob, cursor };
  }
  return undefined;
}

/** The lane a job carries, if any. */
export const laneOf = (job: PageJob): readonly string[] | undefined =>
  job.type === 'folder' ? (job as FolderJob).lane : undefined;

/**
 * A long chain hands its lane on when its follow-up no longer carries it (LANE_RELEASE_HOP): the
 * next folder starts beside it, with no slot of its own yet. Returns whether a job was sent.
 */
export function releaseLane(deps: CoreDeps, job: PageJob, followUp: PageJob): Promise<boolean> {
  const lane = laneOf(job);
  if (!lane || laneOf(followUp)) return Promise.resolve(false);
  return continueLane(deps, job.mailboxId, lane, deps.random.id());
}
