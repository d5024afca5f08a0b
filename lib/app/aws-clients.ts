// The AWS SDK clients of one container, built once (cold start) and reused by every invocation.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { HandlerEnv } from './env.js';

export interface AwsClients {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  destroy(): void;
}

export function buildAwsClients(env: Pick<HandlerEnv, 'dynamoEndpoint' | 'sqsEndpoint'>): AwsClients {
  // In AWS the endpoints are unset and the SDK finds region and credentials itself. Locally one
  // process runs many invocations at once on these clients: more sockets than the SDK's 50, or
  // it queues requests and warns "socket usage at capacity". A Lambda runs one.
  const local = (endpoint: string) => ({ endpoint, requestHandler: { httpAgent: { maxSockets: 512 } } });
  const dynamodb = new DynamoDBClient(env.dynamoEndpoint ? local(env.dynamoEndpoint) : {});
  const sqs = new SQSClient(env.sqsEndpoint ? local(env.sqsEndpoint) : {});
  return {
    dynamodb,
    sqs,
    destroy() {
      for (const client of [dynamodb, sqs]) client.destroy();
    },
  };
}
