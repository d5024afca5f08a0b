import {
  type BatchResultErrorEntry,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { messageGroupOf, serializeSyncJob } from '../../core/jobs/registry.js';
import { mapWithConcurrency } from '../../core/map-with-concurrency.js';
import type { Enqueue, WorkQueue } from '../../core/ports.js';

export interface SqsWorkQueueOptions {
  /**
   * Sets MessageGroupId = mailboxId, which makes a standard queue an SQS fair queue: one noisy
   * mailbox cannot starve the others. fauxqs 1.9.2 accepts and ignores it on standard queues.
   */
  messageGroups?: boolean;
  /** SendMessageBatch calls in flight at once (default 10). */
  concurrency?: number;
  /** Attempts per entry when a batch partly fails (default 4). */
  maxAttempts?: number;
  /** First pause before retrying failed entries; doubles per attempt (default 50 ms). */
  retryBaseMs?: number;
}

export interface FailedEnqueue {
  jobId: string;
  code: string;
  message: string;
}

/** Some jobs could not be enqueued, even after retries. */
export class WorkQueueSendError extends Error {
  override readonly name = 'WorkQueueSendError';
  constructor(
    readonly failed: FailedEnqueue[],
    readonly total: number,
  ) {
    super(
      `${failed.length} of ${total} jobs could not be enqueued: ` +
        failed
          .slice(0, 5)
          .map((f) => `${f.jobId} (${f.code})`)
          .join(', ') +
        (failed.length > 5 ? ', ...' : ''),
    );
  }
}

const BATCH_SIZE = 10;
export const MAX_DELAY_SECONDS = 900;

/** SQS takes whole seconds in 0..900; anything else is a caller's rounding problem, not an error. */
export function clampDelaySeconds(delaySeconds: number | undefined): number {
  if (delaySeconds === undefined || !Number.isFinite(delaySeconds)) return 0;
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds)));
}

export class SqsWorkQueue implements WorkQueue {
  private readonly messageGroups: boolean;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;

  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    options: SqsWorkQueueOptions = {},
  ) {
    this.messageGroups = options.messageGroups ?? true;
    this.concurrency = options.concurrency ?? 10;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.retryBaseMs = options.retryBaseMs ?? 50;
  }

  async send(entries: Enqueue[]): Promise<void> {
    const batches: Enqueue[][] = [];
    for (let i = 0; i < entries.length; i += BATCH_SIZE) batches.push(entries.slice(i, i + BATCH_SIZE));
    const failures = await mapWithConcurrency(batches, this.concurrency, (batch) => this.sendBatch(batch));
    const failed = failures.flat();
    if (failed.length > 0) throw new WorkQueueSendError(failed, entries.length);
  }

  /** Sends one batch, retrying the entries SQS failed; returns the ones that never went through. */
  private async sendBatch(batch: Enqueue[]): Promise<FailedEnqueue[]> {
    let pending = batch.map((entry, index) => ({ id: String(index), entry }));
    const permanent: FailedEnqueue[] = [];
    for (let attempt = 1; ; attempt++) {
      const errors = await this.trySend(pending);
      const byId = new Map(pending.map((p) => [p.id, p]));
      const retry: typeof pending = [];
      for (const error of errors) {
        const entry = byId.get(error.Id ?? '');
        // A sender fault (an invalid message) fails the same way every time: no retry.
        if (entry && !error.SenderFault && attempt < this.maxAttempts) {
          retry.push(entry);
        } else {
          permanent.push({
            jobId: entry?.entry.job.jobId ?? `entry ${error.Id}`,
            code: error.Code ?? 'Unknown',
            message: error.Message ?? '',
          });
        }
      }
      if (retry.length === 0) return permanent;
      pending = retry;
      const pause = this.retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  private async trySend(pending: { id: string; entry: Enqueue }[]): Promise<BatchResultErrorEntry[]> {
    try {
      const result = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: pending.map(({ id, entry }) => this.toRequestEntry(id, entry)),
        }),
      );
      return result.Failed ?? [];
    } catch (error) {
      // The SDK already retried throttling and network errors: count the whole batch as failed.
      const e = error as Error & { $fault?: string };
      const senderFault = e.$fault === 'client';
      return pending.map(({ id }) => ({
        Id: id,
        Code: e.name,
        Message: e.message,
        SenderFault: senderFault,
      }));
    }
  }

  private toRequestEntry(id: string, entry: Enqueue): SendMessageBatchRequestEntry {
    return {
      Id: id,
      MessageBody: serializeSyncJob(entry.job),
      DelaySeconds: clampDelaySeconds(entry.delaySeconds),
      MessageGroupId: this.messageGroups ? messageGroupOf(entry.job) : undefined,
      MessageAttributes: { hop: { DataType: 'Number', StringValue: String(entry.job.hop) } },
    };
  }
}
