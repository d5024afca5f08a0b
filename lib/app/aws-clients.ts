// The AWS SDK clients of one container, built once (cold start) and reused by every invocation.
// The production container passes no settings: in AWS the SDK finds region, credentials and each
// service's endpoint itself. Only local/container.ts passes any (the stand-ins' endpoints and
// dummy credentials).
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';

export interface AwsClientSettings {
  dynamodb?: DynamoDBClientConfig;
  sqs?: SQSClientConfig;
  /** For the state bucket's client, which LazyS3SyncStateStore builds on first use. */
  s3?: S3ClientConfig;
}

export interface AwsClients {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  s3Config: S3ClientConfig;
  destroy(): void;
}

export function buildAwsClients(settings: AwsClientSettings = {}): AwsClients {
  const dynamodb = new DynamoDBClient(settings.dynamodb ?? {});
  const sqs = new SQSClient(settings.sqs ?? {});
  return {
    dynamodb,
    sqs,
    s3Config: settings.s3 ?? {},
    destroy() {
      for (const client of [dynamodb, sqs]) client.destroy();
    },
  };
}
