import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.js';
import { createLocalAwsClients, type LocalAwsClients } from './local-aws-clients.js';
import { type SqsEmulator, startSqsEmulator } from './sqs-emulator.js';

export interface LocalAws {
  endpoints: { dynamodb: string; sqs: string };
  clients: LocalAwsClients;
  dynamoDbLocal: DynamoDbLocal;
  sqsEmulator: SqsEmulator;
  stop(): Promise<void>;
}

/** DynamoDB Local and fauxqs (SQS + S3), started together, with SDK clients pointed at them. */
export async function startLocalAws(): Promise<LocalAws> {
  const [dynamo, sqs] = await Promise.allSettled([startDynamoDbLocal(), startSqsEmulator()]);
  if (dynamo.status === 'rejected' || sqs.status === 'rejected') {
    await Promise.allSettled([
      dynamo.status === 'fulfilled' ? dynamo.value.stop() : undefined,
      sqs.status === 'fulfilled' ? sqs.value.stop() : undefined,
    ]);
    throw dynamo.status === 'rejected' ? dynamo.reason : (sqs as PromiseRejectedResult).reason;
  }
  const endpoints = { dynamodb: dynamo.value.endpoint, sqs: sqs.value.endpoint };
  const clients = createLocalAwsClients(endpoints);
  return {
    endpoints,
    clients,
    dynamoDbLocal: dynamo.value,
    sqsEmulator: sqs.value,
    async stop() {
      clients.destroy();
      await Promise.allSettled([dynamo.value.stop(), sqs.value.stop()]);
    },
  };
}
