// Reading the dead-letter queue without consuming it (dlq list, and the pass dlq redrive makes),
// and what a dead letter says about the job it holds.
import { InvalidJobError } from '../errors.js';
import { parseSyncJob, type SyncJob, type SyncJobType } from '../jobs/registry.js';
import { HIERARCHY_CURSOR_ID } from '../model.js';
import type { DeadLetter, DeadLetterQueue } from './dead-letter-ports.js';

/** A dead letter as an operator reads it. */
export interface DeadLetterView {
  messageId: string;
  /** `invalid` when the body is not a job. */
  kind: SyncJobType | 'invalid';
  mailboxId?: string;
  /** The folder of a folder job, HIERARCHY_CURSOR_ID for a hierarchy job. */
  folderId?: string;
  jobId?: string;
  receiveCount: number;
  sentAt?: number;
  /** Why it is here, or, when nothing recorded it, where to find out. */
  reason: string;
  /** False when the queue moved the message after its retries and kept no reason. */
  reasonRecorded: boolean;
}

/**
 * SQS moves a message that failed all its receives without saying why; the worker's log line for
 * each failed receive ("sync job failed") carries the message id, which the move keeps.
 */
export function unrecordedReason(messageId: string): string {
  return `not recorded: every receive failed until the queue moved it; the worker logs each failure as "sync job failed" with messageId ${messageId}`;
}

/** Reads the letter's body as a job; `job` is absent when it is not one. */
export function describeDeadLetter(letter: DeadLetter): DeadLetterView & { job?: SyncJob } {
  const base = { messageId: letter.messageId, receiveCount: letter.receiveCount, sentAt: letter.sentAt };
  let job: SyncJob;
  try {
    job = parseSyncJob(letter.body, letter.messageId);
  } catch (error) {
    if (!(error instanceof InvalidJobError)) throw error;
    return { ...base, kind: 'invalid', reason: letter.reason ?? error.reason, reasonRecorded: true };
  }
  const reason = letter.reason ?? unrecordedReason(letter.messageId);
  const view = {
    ...base,
    kind: job.type,
    jobId: job.jobId,
    reason,
    reasonRecorded: letter.reason !== undefined,
  };
  if (job.type === 'fanout') return { ...view, job };
  const folderId = job.type === 'folder' ? job.folderId : HIERARCHY_CURSOR_ID;
  return { ...view, mailboxId: job.mailboxId, folderId, job };
}

export interface DeadLetterPass {
  /** At most this many distinct messages are visited. */
  limit: number;
  /** How long each read hides its messages: longer than the pass needs, short if it dies. */
  hideSeconds: number;
}

/**
 * Visits each visible dead letter once, up to `limit`, in batches of at most 10. Every message
 * read stays hidden until the pass ends, so later reads return others; the ones the visitor did
 * not delete are then made visible again (also when the pass fails). A message read a second
 * time (its hide time ran out during a long pass) is not visited again, and a read that brings
 * only such messages ends the pass.
 */
export async function visitDeadLetters(
  queue: DeadLetterQueue,
  pass: DeadLetterPass,
  visit: (letter: DeadLetter) => Promise<'deleted' | 'kept'>,
): Promise<void> {
  const seen = new Set<string>();
  // The newest read of each message still in the queue: what the release acts on.
  const held = new Map<string, DeadLetter>();
  try {
    while (seen.size < pass.limit) {
      const batch = await queue.receive(Math.min(10, pass.limit - seen.size), pass.hideSeconds);
      const fresh = batch.filter((letter) => !seen.has(letter.messageId));
      for (const letter of batch) {
        held.set(letter.messageId, letter);
        seen.add(letter.messageId);
      }
      if (fresh.length === 0) break;
      for (const letter of fresh) {
        if ((await visit(letter)) === 'deleted') held.delete(letter.messageId);
      }
    }
  } finally {
    if (held.size > 0) await queue.release([...held.values()]);
  }
}

/** `dlq list`: up to `limit` dead letters, left in the queue and visible again afterwards. */
export async function listDeadLetters(queue: DeadLetterQueue, limit: number): Promise<DeadLetterView[]> {
  const views: DeadLetterView[] = [];
  await visitDeadLetters(queue, { limit, hideSeconds: 30 }, async (letter) => {
    const { job: _job, ...view } = describeDeadLetter(letter);
    views.push(view);
    return 'kept';
  });
  return views;
}
