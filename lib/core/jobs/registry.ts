// Every job kind, declared once: the queue message contract (parse, serialize), the worker's
// dispatch and the message group all read this table, so a new kind is one module plus one row.
import * as z from 'zod/mini';
import type { CoreDeps, PageContext } from '../deps.js';
import { InvalidJobError } from '../errors.js';
import type { PageOutcome } from '../outcome.js';
import { runChainInline } from '../page/inline-chain.js';
import { fanOutJobKind } from './fan-out-job.js';
import { folderJobKind } from './folder-job.js';
import { hierarchyJobKind } from './hierarchy-job.js';
import type { JobKind, JobOutcome } from './job-kind.js';

const JOB_KINDS = {
  folder: folderJobKind,
  hierarchy: hierarchyJobKind,
  fanout: fanOutJobKind,
} as const;

const syncJobSchema = z.discriminatedUnion('type', [
  JOB_KINDS.folder.schema,
  JOB_KINDS.hierarchy.schema,
  JOB_KINDS.fanout.schema,
]);

/** A queue message: one of the kinds above, as its schema infers it. */
export type SyncJob = z.infer<typeof syncJobSchema>;
export type SyncJobType = SyncJob['type'];

// Each row's key is the `type` its schema accepts (a mismatch fails to compile here).
type KeyMatchesType = { [K in keyof typeof JOB_KINDS]: z.infer<(typeof JOB_KINDS)[K]['schema']>['type'] };
const keysMatchTypes: { [K in SyncJobType]: K } = {} as KeyMatchesType;
void keysMatchTypes;

/** The kind of a job. The table is keyed by `type`, so the row and the job always agree. */
function kindOf(job: SyncJob): JobKind<z.ZodMiniType<SyncJob>> {
  return JOB_KINDS[job.type] as unknown as JobKind<z.ZodMiniType<SyncJob>>;
}

/** Parses a queue message body. Throws InvalidJobError naming the first problems found. */
export function parseSyncJob(body: string, messageId?: string): SyncJob {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new InvalidJobError(`body is not JSON (${(error as Error).message})`, messageId);
  }
  const result = syncJobSchema.safeParse(json);
  if (!result.success) {
    const reason = result.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
      .join('; ');
    throw new InvalidJobError(reason, messageId);
  }
  return result.data;
}

/** The body sent to the queue (the inverse of parseSyncJob). */
export function serializeSyncJob(job: SyncJob): string {
  return JSON.stringify(job);
}

/**
 * The worker's dispatch: one queue message, one use case; for a page job, also the follow-ups
 * its pages leave to run in the same invocation (`pagesPerInvocation`, page/inline-chain.ts).
 */
export function runSyncJob(deps: CoreDeps, job: SyncJob, context: PageContext): Promise<JobOutcome> {
  if (job.type === 'fanout' || deps.config.pagesPerInvocation <= 1)
    return kindOf(job).run(deps, job, context);
  return runChainInline(
    deps,
    job,
    context,
    (page, inChain) => kindOf(page).run(deps, page, inChain) as Promise<PageOutcome>,
  );
}

export function messageGroupOf(job: SyncJob): string {
  return kindOf(job).messageGroup(job);
}
