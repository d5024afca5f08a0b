// Job builders: every new job gets a fresh id from Random; a re-send of the same job keeps its id.
import type { Cursor } from '../model.js';
import type { Random } from '../ports.js';
import type { FanOutJob } from './fan-out-job.js';
import type { FolderJob } from './folder-job.js';
import type { HierarchyJob } from './hierarchy-job.js';

export { MAX_LANE_FOLDERS } from './folder-job.js';
export type { FanOutJob, FolderJob, HierarchyJob };
/** A job that runs one leased page against a cursor. */
export type PageJob = FolderJob | HierarchyJob;

/**
 * The first job of a chain for a cursor (folder or hierarchy), issued for its current version.
 * `jobId` when a slot is already reserved under it; `lane`, the folders to start after it.
 */
export function startJob(
  cursor: Cursor,
  random: Random,
  options: { jobId?: string; lane?: string[] } = {},
): PageJob {
  const base = {
    v: 1 as const,
    mailboxId: cursor.mailboxId,
    jobId: options.jobId ?? random.id(),
    expectVersion: cursor.version,
    hop: 0,
  };
  if (cursor.kind === 'hierarchy') return { ...base, type: 'hierarchy' };
  const folder: FolderJob = { ...base, type: 'folder', folderId: cursor.folderId };
  return options.lane && options.lane.length > 0 ? { ...folder, lane: options.lane } : folder;
}

/**
 * A chain that needs this many pages hands its lane on at this hop (lanes.ts): its next
 * folders start beside it instead of waiting behind a long sync.
 */
export const LANE_RELEASE_HOP = 2;

/** The same page again later: a new job (fresh id) for the given version, with `attempt` set. */
export function retryJob<J extends PageJob>(
  job: J,
  jobId: string,
  expectVersion: number,
  attempt: number,
): J {
  const { attempt: _previous, ...rest } = job;
  return attempt > 0
    ? ({ ...rest, jobId, expectVersion, attempt } as J)
    : ({ ...rest, jobId, expectVersion } as J);
}

/** The job without the lane it carries (a chain that handed its lane on). */
export function withoutLane<J extends PageJob>(job: J): J {
  if (job.type !== 'folder' || (job as FolderJob).lane === undefined) return job;
  const { lane: _lane, ...rest } = job as FolderJob;
  return rest as J;
}

/** The next page of a chain; from LANE_RELEASE_HOP on without the lane (the chain handed it on). */
export function followUpJob<J extends PageJob>(job: J, jobId: string, expectVersion: number): J {
  const { attempt: _previous, ...rest } = job;
  const hop = job.hop + 1;
  if (rest.type === 'folder' && hop >= LANE_RELEASE_HOP) delete (rest as Partial<FolderJob>).lane;
  return { ...rest, jobId, expectVersion, hop } as J;
}

export function fanOutJob(next: string, tickAt: number, hop: number, random: Random): FanOutJob {
  return { v: 1, type: 'fanout', jobId: random.id(), next, tickAt, hop };
}

/** The id of the cursor a page job works on. */
export function cursorIdOf(job: PageJob, hierarchyId: string): string {
  return job.type === 'folder' ? job.folderId : hierarchyId;
}
