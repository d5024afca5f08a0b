// Logs and metrics for the handlers: one structured log line and a few EMF metrics per job.
// What is logged is ids, outcomes and counters; never item content or credentials.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_DIMENSIONS, METRICS } from '../../infra/resources.js';
import type { InvalidMailboxRow } from '../../lib/app/container.js';
import {
  type FanOutOutcome,
  type JobOutcome,
  OUTCOME_CLASSES,
  type OutcomeClass,
} from '../../lib/core/index.js';

export const logger = new Logger({ serviceName: METRIC_DIMENSIONS.service });

/**
 * Publishes only when a job added metrics. Many invocations add none (a stale or redelivered
 * job, a fan-out that enqueued nothing), and Powertools warns on every empty flush ("No
 * application metrics to publish"), a dozen lines per local run and a log line per such
 * invocation in Lambda. Dimensions and metadata are still cleared, as a flush would.
 */
export class JobMetrics extends Metrics {
  override publishStoredMetrics(): this {
    if (this.hasStoredMetrics()) return super.publishStoredMetrics();
    this.clearDimensions();
    this.clearMetadata();
    return this;
  }
}

export const metrics = new JobMetrics({
  namespace: METRICS.namespace,
  serviceName: METRIC_DIMENSIONS.service,
});

/** Logs one job's outcome and adds its metrics (flushed by the logMetrics middleware). */
export function recordJobOutcome(outcome: JobOutcome): void {
  if (outcome.type === 'fanout') {
    recordFanOut(outcome);
    return;
  }
  const kind: OutcomeClass = OUTCOME_CLASSES[outcome.outcome];
  // An error on a routine outcome (e.g. a redelivery) is still worth a line.
  const level = kind.level === 'debug' && outcome.error ? 'info' : kind.level;
  logger[level](`${outcome.type} page ${outcome.outcome}`, { ...outcome });
  if (outcome.pages > 0) metrics.addMetric(METRICS.pages, MetricUnit.Count, outcome.pages);
  const written = outcome.changes.written + (outcome.tombstoned ?? 0) + (outcome.swept ?? 0);
  if (written > 0) metrics.addMetric(METRICS.changes, MetricUnit.Count, written);
  if (kind.metric) metrics.addMetric(METRICS[kind.metric], MetricUnit.Count, 1);
  if (outcome.lagMs !== undefined)
    metrics.addMetric(METRICS.lagSeconds, MetricUnit.Seconds, Math.round(outcome.lagMs / 1000));
  if (outcome.enqueued > 0) metrics.addMetric(METRICS.jobsEnqueued, MetricUnit.Count, outcome.enqueued);
}

export function recordFanOut(outcome: FanOutOutcome): void {
  logger.info(`fan-out ${outcome.outcome}`, { ...outcome });
  if (outcome.enqueued > 0) metrics.addMetric(METRICS.jobsEnqueued, MetricUnit.Count, outcome.enqueued);
}

/** A registry row that fails the mailbox schema: its key and the problems, never its values. */
export function recordInvalidRegistryRow(row: InvalidMailboxRow): void {
  logger.warn(
    row.operation === 'list'
      ? 'invalid mailbox registry row skipped'
      : 'invalid mailbox registry row treated as parked',
    { ...row },
  );
  metrics.addMetric(METRICS.invalidRegistryRows, MetricUnit.Count, 1);
}
