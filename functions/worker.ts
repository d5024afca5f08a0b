// Lambda entry of the worker (SQS event source with ReportBatchItemFailures).
import { createContainer } from './shared/container.js';
import { readHandlerEnv } from './shared/env.js';
import { recordInvalidRegistryRow } from './shared/telemetry.js';
import { createWorkerHandler } from './worker-handler.js';

export const handler = createWorkerHandler(
  createContainer(readHandlerEnv(), { onInvalidRegistryRow: recordInvalidRegistryRow }),
);
