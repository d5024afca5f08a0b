// Lambda entry of the scheduler (EventBridge Scheduler tick).
import { createSchedulerHandler } from './scheduler-handler.js';
import { createContainer } from './shared/container.js';
import { readHandlerEnv } from './shared/env.js';

export const handler = createSchedulerHandler(createContainer(readHandlerEnv()));
