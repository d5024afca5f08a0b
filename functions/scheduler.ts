// Lambda entry of the scheduler (EventBridge Scheduler tick).
import { createSchedulerHandler } from './scheduler-handler.js';
import { createSchedulerContainer } from './shared/container.js';
import { readHandlerEnv } from './shared/env.js';
import { recordInvalidRegistryRow } from './shared/telemetry.js';

export const handler = createSchedulerHandler(
  createSchedulerContainer(readHandlerEnv(), { onInvalidRegistryRow: recordInvalidRegistryRow }),
);
