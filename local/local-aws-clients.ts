import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

/** The stand-ins accept any signature; fixed values keep the SDK from searching for real ones. */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface LocalAwsClients {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  s3: S3Client;
  destroy(): void;
}

/**
 * Sockets per stand-in. The SDK's default of 50 suits a Lambda environment running one
 * invocation; the local run drives many invocations from one process, and past 50 sockets and
 * 100 queued requests the SDK prints "socket usage at capacity" on stderr. The stand-ins are
 * on this machine: more sockets cost nothing.
 */
export const LOCAL_MAX_SOCKETS = 512;

/** The SDK's request handler option for a client of a local stand-in (plain HTTP). */
export function localRequestHandler() {
  return { httpAgent: new Agent({ keepAlive: true, maxSockets: LOCAL_MAX_SOCKETS }) };
}

/** SDK clients pointed at DynamoDB Local and fauxqs (which serves both SQS and S3). */
export function createLocalAwsClients(endpoints: { dynamodb: string; sqs: string }): LocalAwsClients {
  const common = {
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: localRequestHandler(),
  };
  const dynamodb = new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb });
  const sqs = new SQSClient({ ...common, endpoint: endpoints.sqs });
  // Path-style: virtual-hosted buckets would need `<bucket>.localhost` to resolve.
  const s3 = new S3Client({ ...common, endpoint: endpoints.sqs, forcePathStyle: true });
  return {
    dynamodb,
    sqs,
    s3,
    destroy() {
      dynamodb.destroy();
      sqs.destroy();
      s3.destroy();
    },
  };
}
