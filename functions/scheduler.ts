// Lambda entry of the scheduler (EventBridge Scheduler tick).

import { readHandlerEnv } from '../lib/app/env.js';
import { createSchedulerContainer } from '../lib/app/scheduler-container.js';
import { createSchedulerHandler } from './scheduler-handler.js';
import { recordInvalidRegistryRow } from './shared/telemetry.js';

export const handler = createSchedulerHandler(
  createSchedulerContainer(readHandlerEnv(), { onInvalidRegistryRow: recordInvalidRegistryRow }),
);
