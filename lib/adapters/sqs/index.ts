export {
  clampDelaySeconds,
  type FailedEnqueue,
  MAX_DELAY_SECONDS,
  SqsWorkQueue,
  type SqsWorkQueueOptions,
  WorkQueueSendError,
} from './sqs-work-queue.js';
