// Logs and metrics for the handlers: one structured log line and a few EMF metrics per job.
// What is logged is ids, outcomes and counters; never item content or credentials.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_DIMENSIONS, METRICS } from '../../infra/resources.js';
import type { FanOutOutcome, JobOutcome } from '../../lib/core/index.js';

export const logger = new Logger({ serviceName: METRIC_DIMENSIONS.service });

export const metrics = new Metrics({ namespace: METRICS.namespace, serviceName: METRIC_DIMENSIONS.service });

const PROBLEM_OUTCOMES = new Set(['gave-up', 'parked', 'not-advancing', 'max-hops', 'lease-lost']);

/** Logs one job's outcome and adds its metrics (flushed by the logMetrics middleware). */
export function recordJobOutcome(outcome: JobOutcome): void {
  if (outcome.type === 'fanout') {
    recordFanOut(outcome);
    return;
  }
  const level = PROBLEM_OUTCOMES.has(outcome.outcome) ? 'warn' : outcome.error ? 'info' : 'debug';
  logger[level](`${outcome.type} page ${outcome.outcome}`, { ...outcome });
  if (outcome.pages > 0) metrics.addMetric(METRICS.pages, MetricUnit.Count, outcome.pages);
  const written = outcome.changes.written + (outcome.tombstoned ?? 0) + (outcome.swept ?? 0);
  if (written > 0) metrics.addMetric(METRICS.changes, MetricUnit.Count, written);
  if (outcome.outcome === 'throttled') metrics.addMetric(METRICS.throttled, MetricUnit.Count, 1);
  if (outcome.outcome === 'parked') metrics.addMetric(METRICS.parked, MetricUnit.Count, 1);
  if (outcome.error && outcome.outcome !== 'throttled')
    metrics.addMetric(METRICS.errors, MetricUnit.Count, 1);
  if (outcome.enqueued > 0) metrics.addMetric(METRICS.jobsEnqueued, MetricUnit.Count, outcome.enqueued);
}

export function recordFanOut(outcome: FanOutOutcome): void {
  logger.info(`fan-out ${outcome.outcome}`, { ...outcome });
  if (outcome.enqueued > 0) metrics.addMetric(METRICS.jobsEnqueued, MetricUnit.Count, outcome.enqueued);
}
