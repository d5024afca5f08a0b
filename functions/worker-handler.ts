// The worker: one SQS record = one sync job (a folder page, a hierarchy page or a fan-out
// continuation; a page job may run more pages of its chain, `pagesPerInvocation`, each logged).
// Records of a batch run concurrently; each fails alone (partial batch response), so one bad
// record never makes SQS redeliver the others.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type Container, InvalidPageTokenError } from '../lib/app/container.js';
import { InvalidJobError, type JobOutcome, parseSyncJob, runSyncJob } from '../lib/core/index.js';
import { settleBeforeDeadline } from './shared/record-deadline.js';
import { logger, metrics, recordJobOutcome } from './shared/telemetry.js';

export interface WorkerHooks {
  /** Sees every job's outcome after it is logged: the local run's progress display and tests. */
  onOutcome?(outcome: JobOutcome): void;
}

export function createWorkerHandler(container: Container, hooks: WorkerHooks = {}) {
  /** Retrying cannot fix an invalid job: straight to the DLQ with the reason. */
  async function deadLetter(record: SQSRecord, error: InvalidJobError): Promise<void> {
    logger.error('invalid sync job', { messageId: record.messageId, reason: error.reason });
    if (!container.deadLetters) throw error;
    await container.deadLetters.send({
      body: record.body,
      reason: error.reason,
      sourceMessageId: record.messageId,
    });
  }

  async function processRecord(record: SQSRecord, context: Context, signal: AbortSignal): Promise<void> {
    let job: ReturnType<typeof parseSyncJob>;
    try {
      job = parseSyncJob(record.body, record.messageId);
    } catch (error) {
      if (!(error instanceof InvalidJobError)) throw error;
      return deadLetter(record, error);
    }
    const report = (outcome: JobOutcome) => {
      recordJobOutcome(outcome);
      hooks.onOutcome?.(outcome);
    };
    let outcome: JobOutcome;
    try {
      outcome = await runSyncJob(container.deps, job, {
        // Leases and slots are held per record: two records of one batch are two holders.
        owner: `${context.awsRequestId}/${record.messageId}`,
        remainingMs: () => context.getRemainingTimeInMillis(),
        signal,
        // The pages run before the last, when a record runs several of its chain.
        onOutcome: report,
      });
    } catch (error) {
      // A fan-out token of the right shape that the registry still refuses (its first read, so
      // nothing was enqueued yet) is as invalid as a malformed one: five receives cannot fix it.
      if (job.type !== 'fanout' || !(error instanceof InvalidPageTokenError)) throw error;
      return deadLetter(record, new InvalidJobError(`next: ${error.message}`, record.messageId));
    }
    report(outcome);
  }

  // Our own deadline (record-deadline.ts) comes first; middy's early timeout is the last resort.
  return middy<SQSEvent, SQSBatchResponse, Error, Context>({ timeoutEarlyInMillis: 500 })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(
      sqsPartialBatchFailure({
        // The default logger prints the whole record, body included; ids and the reason suffice.
        logger: (reason: unknown, record: SQSRecord) =>
          logger.error('sync job failed', { messageId: record.messageId, error: reason as Error }),
      }),
    )
    .handler(async (event, context, { signal }) => {
      const settled = await settleBeforeDeadline(
        event.Records,
        () => context.getRemainingTimeInMillis(),
        signal,
        (record, recordSignal) => processRecord(record, context, recordSignal),
      );
      // sqs-partial-batch-failure turns the settled results into { batchItemFailures }.
      return settled as unknown as SQSBatchResponse;
    });
}
