// The queue message contract. The worker handler validates every record with parseSyncJob; an
// invalid one goes to the DLQ with the reason (never a silent skip).
import * as z from 'zod/mini';
import './zod.js';
import { InvalidJobError } from './errors.js';
import type { SyncJob } from './ports.js';

const id = z.string().check(z.minLength(1), z.maxLength(1024));
const count = z.number().check(z.int(), z.nonnegative());

const folderJob = z.strictObject({
  v: z.literal(1),
  type: z.literal('folder'),
  mailboxId: id,
  folderId: id,
  jobId: id,
  expectVersion: count,
  hop: count,
  attempt: z.optional(count),
});

const hierarchyJob = z.strictObject({
  v: z.literal(1),
  type: z.literal('hierarchy'),
  mailboxId: id,
  jobId: id,
  expectVersion: count,
  hop: count,
  attempt: z.optional(count),
});

const fanOutJob = z.strictObject({
  v: z.literal(1),
  type: z.literal('fanout'),
  jobId: id,
  next: id,
  tickAt: count,
  hop: count,
});

const syncJob = z.discriminatedUnion('type', [folderJob, hierarchyJob, fanOutJob]);

/** Parses a queue message body. Throws InvalidJobError naming the first problems found. */
export function parseSyncJob(body: string, messageId?: string): SyncJob {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new InvalidJobError(`body is not JSON (${(error as Error).message})`, messageId);
  }
  const result = syncJob.safeParse(json);
  if (!result.success) {
    const reason = result.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
      .join('; ');
    throw new InvalidJobError(reason, messageId);
  }
  return result.data as SyncJob;
}

/** The body sent to the queue (the inverse of parseSyncJob). */
export function serializeSyncJob(job: SyncJob): string {
  return JSON.stringify(job);
}
