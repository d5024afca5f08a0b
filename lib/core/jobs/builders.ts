// Job builders: every new job gets a fresh id from Random; a re-send of the same job keeps its id.
import type { Cursor } from '../model.js';
import type { Random } from '../ports.js';
import type { FanOutJob } from './fan-out-job.js';
import type { FolderJob } from './folder-job.js';
import type { HierarchyJob } from './hierarchy-job.js';

export type { FanOutJob, FolderJob, HierarchyJob };
/** A job that runs one leased page against a cursor. */
export type PageJob = FolderJob | HierarchyJob;

/** The first job of a chain for a cursor (folder or hierarchy), issued for its current version. */
export function startJob(cursor: Cursor, random: Random): PageJob {
  const base = {
    v: 1 as const,
    mailboxId: cursor.mailboxId,
    jobId: random.id(),
    expectVersion: cursor.version,
    hop: 0,
  };
  return cursor.kind === 'hierarchy'
    ? { ...base, type: 'hierarchy' }
    : { ...base, type: 'folder', folderId: cursor.folderId };
}

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

/** The next page of a chain. */
export function followUpJob<J extends PageJob>(job: J, jobId: string, expectVersion: number): J {
  const { attempt: _previous, ...rest } = job;
  return { ...rest, jobId, expectVersion, hop: job.hop + 1 } as J;
}

export function fanOutJob(next: string, tickAt: number, hop: number, random: Random): FanOutJob {
  return { v: 1, type: 'fanout', jobId: random.id(), next, tickAt, hop };
}

/** The id of the cursor a page job works on. */
export function cursorIdOf(job: PageJob, hierarchyId: string): string {
  return job.type === 'folder' ? job.folderId : hierarchyId;
}
