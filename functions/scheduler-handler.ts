// The tick: pages the mailbox registry and enqueues one hierarchy job per due mailbox; the
// hierarchy jobs enqueue their folders. Hands over to a continuation job when time runs short.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Container } from '../lib/app/container.js';
import { type FanOutOutcome, fanOutTick } from '../lib/core/index.js';
import { logger, metrics, recordFanOut } from './shared/telemetry.js';

export function createSchedulerHandler(container: Container) {
  // The schedule sends no input: the event is ignored.
  return middy<unknown, FanOutOutcome, Error, Context>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .handler(async (_event, context) => {
      const outcome = await fanOutTick(container.deps, {
        remainingMs: () => context.getRemainingTimeInMillis(),
      });
      recordFanOut(outcome);
      return outcome;
    });
}
