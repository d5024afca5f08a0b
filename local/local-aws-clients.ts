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

/** SDK clients pointed at DynamoDB Local and fauxqs (which serves both SQS and S3). */
export function createLocalAwsClients(endpoints: { dynamodb: string; sqs: string }): LocalAwsClients {
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
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
