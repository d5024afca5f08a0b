import {
  CreateTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  CURSOR_TABLE,
  DEAD_LETTER_QUEUE,
  ENV,
  ITEM_TABLE,
  MAILBOX_TABLE,
  SYNC_QUEUE,
  type TableDefinition,
} from '../infra/resources.js';

export interface LocalResources {
  mailboxTable: string;
  cursorTable: string;
  itemTable: string;
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
  stateBucket: string;
}

export interface CreateResourcesOptions {
  /** Prefix of every name, so several runs or tests can share one DynamoDB Local and fauxqs. */
  prefix: string;
  /**
   * AWS uses 6x the worker timeout (SYNC_QUEUE); a local run wants failed messages back sooner.
   * Must stay above the handler's timeout, or a slow invocation's messages are delivered twice.
   */
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
}

const DAY_SECONDS = 24 * 3600;

export interface LocalQueues {
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
}

/** Creates the tables, the queue with its DLQ, and the state bucket from infra/resources.ts. */
export async function createResources(
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient; s3: S3Client },
  options: CreateResourcesOptions,
): Promise<LocalResources> {
  const [tables, queues, stateBucket] = await Promise.all([
    createTables(clients.dynamodb, options.prefix),
    createQueues(clients.sqs, options),
    createStateBucket(clients.s3, options.prefix),
  ]);
  return { ...tables, ...queues, stateBucket };
}

export async function createTables(
  client: DynamoDBClient,
  prefix: string,
): Promise<Pick<LocalResources, 'mailboxTable' | 'cursorTable' | 'itemTable'>> {
  const tableName = (def: TableDefinition) => `${prefix}-${def.id}`;
  await Promise.all(
    [MAILBOX_TABLE, CURSOR_TABLE, ITEM_TABLE].map((def) => createTable(client, tableName(def), def)),
  );
  return {
    mailboxTable: tableName(MAILBOX_TABLE),
    cursorTable: tableName(CURSOR_TABLE),
    itemTable: tableName(ITEM_TABLE),
  };
}

/** The sync queue with a redrive policy to its dead-letter queue. */
export async function createQueues(client: SQSClient, options: CreateResourcesOptions): Promise<LocalQueues> {
  const { prefix } = options;
  const dlq = await client.send(
    new CreateQueueCommand({
      QueueName: `${prefix}-${DEAD_LETTER_QUEUE.id}`,
      Attributes: { MessageRetentionPeriod: String(DEAD_LETTER_QUEUE.retentionDays * DAY_SECONDS) },
    }),
  );
  const deadLetterQueueUrl = dlq.QueueUrl!;
  const deadLetterQueueArn = await queueArn(client, deadLetterQueueUrl);
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: `${prefix}-${SYNC_QUEUE.id}`,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? SYNC_QUEUE.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(SYNC_QUEUE.retentionDays * DAY_SECONDS),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: deadLetterQueueArn,
          maxReceiveCount: options.maxReceiveCount ?? SYNC_QUEUE.maxReceiveCount,
        }),
      },
    }),
  );
  const queueUrl = queue.QueueUrl!;
  return { queueUrl, queueArn: await queueArn(client, queueUrl), deadLetterQueueUrl, deadLetterQueueArn };
}

export async function createStateBucket(client: S3Client, prefix: string): Promise<string> {
  // Bucket names are lower-case DNS labels.
  const bucket = `${prefix}-state`.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/**
 * The environment the handlers read (infra/resources.ts ENV), for the given resources. fauxqs
 * serves S3 too: locally the state bucket lives at the SQS endpoint (path-style addressing).
 */
export function resourceEnvironment(
  resources: LocalResources,
  endpoints: { dynamodb: string; sqs: string },
): Record<string, string> {
  return {
    [ENV.mailboxTable]: resources.mailboxTable,
    [ENV.cursorTable]: resources.cursorTable,
    [ENV.itemTable]: resources.itemTable,
    [ENV.syncQueueUrl]: resources.queueUrl,
    [ENV.deadLetterQueueUrl]: resources.deadLetterQueueUrl,
    [ENV.stateBucket]: resources.stateBucket,
    [ENV.dynamoEndpoint]: endpoints.dynamodb,
    [ENV.sqsEndpoint]: endpoints.sqs,
  };
}

async function createTable(client: DynamoDBClient, name: string, def: TableDefinition): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: def.partitionKey, AttributeType: 'S' },
        { AttributeName: def.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: def.partitionKey, KeyType: 'HASH' },
        { AttributeName: def.sortKey, KeyType: 'RANGE' },
      ],
      StreamSpecification: def.stream ? { StreamEnabled: true, StreamViewType: def.stream } : undefined,
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: name });
  if (def.ttlAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: def.ttlAttribute, Enabled: true },
      }),
    );
  }
}

async function queueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const attributes = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = attributes.Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${queueUrl} has no ARN`);
  return arn;
}
