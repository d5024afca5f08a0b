// Lambda entry of the worker (SQS event source with ReportBatchItemFailures).
import { createContainer } from '../lib/app/container.js';
import { readHandlerEnv } from '../lib/app/env.js';
import { recordInvalidRegistryRow } from './shared/telemetry.js';
import { createWorkerHandler } from './worker-handler.js';

export const handler = createWorkerHandler(
  createContainer(readHandlerEnv(), { onInvalidRegistryRow: recordInvalidRegistryRow }),
);
