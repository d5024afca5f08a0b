export {
  createLocalContainer,
  type LocalEndpoints,
  type LocalSeams,
  localEndpointsOf,
  standInSeams,
} from './container.js';
export {
  createQueues,
  createResources,
  createStateBucket,
  createTables,
  type LocalQueues,
  type LocalResources,
  resourceEnvironment,
} from './create-resources.js';
export { type DynamoDbLocal, DynamoDbLocalStartError, startDynamoDbLocal } from './dynamodb-local.js';
export { JavaRuntimeError } from './java-runtime.js';
export { createLambdaContext } from './lambda-context.js';
export { LambdaSqsPoller, type PollerStats, type SqsBatchHandler } from './lambda-sqs-poller.js';
export { type LocalAws, startLocalAws } from './local-aws.js';
export {
  createLocalAwsClients,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalAwsClients,
} from './local-aws-clients.js';
export { queueDepth } from './queue-depth.js';
export { type SqsEmulator, startSqsEmulator } from './sqs-emulator.js';
