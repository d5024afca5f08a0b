// The request counter on DynamoDB Local and fauxqs: it must see calls made by clients created
// after it was installed (as the engine's container creates its own), take DynamoDB's own
// consumed units (or AWS's minimum where DynamoDB Local reports less), bill a refused conditional
// write, and price empty receives as nothing.
import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/index.js';
import { useLocalAws } from '../../test/support/local-aws.js';
import { costOf, PRICES } from './aws-prices.js';
import { AwsRequestCounter } from './aws-request-counter.js';

const local = useLocalAws();

describe('AwsRequestCounter', () => {
  it('counts DynamoDB units and SQS requests of clients made after it was installed', async () => {
    const counter = new AwsRequestCounter().install();
    const { cursorTable } = await local.tables();
    const { queueUrl } = await local.resources();
    const options = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    const dynamodb = new DynamoDBClient({ ...options, endpoint: local.aws.endpoints.dynamodb });
    const sqs = new SQSClient({ ...options, endpoint: local.aws.endpoints.sqs });
    try {
      counter.reset();
      const Item = { pk: { S: 'm' }, sk: { S: 'f' } };
      await dynamodb.send(new PutItemCommand({ TableName: cursorTable, Item }));
      const refused = dynamodb.send(
        new PutItemCommand({ TableName: cursorTable, Item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      await expect(refused).rejects.toBeInstanceOf(ConditionalCheckFailedException);
      await dynamodb.send(new GetItemCommand({ TableName: cursorTable, Key: Item, ConsistentRead: true }));
      // DynamoDB Local reports no units for a batch read; AWS bills a consistent read per key.
      const keys = ['a', 'b', 'c'].map((sk) => ({ pk: { S: 'm' }, sk: { S: sk } }));
      await dynamodb.send(
        new BatchGetItemCommand({ RequestItems: { [cursorTable]: { Keys: keys, ConsistentRead: true } } }),
      );
      await sqs.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: '1', MessageBody: 'x' }] }),
      );
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));

      const counts = counter.snapshot();
      expect(counts.get('DynamoDB:PutItem')).toEqual({
        calls: 2,
        failed: 1,
        readUnits: 0,
        writeUnits: 2,
        estimated: 1,
      });
      expect(counts.get('DynamoDB:GetItem')).toMatchObject({ calls: 1, readUnits: 1, estimated: 0 });
      expect(counts.get('DynamoDB:BatchGetItem')).toMatchObject({ calls: 1, readUnits: 3 });
      expect(counts.get('SQS:SendMessageBatch')?.calls).toBe(1);
      expect(counts.get('SQS:ReceiveMessage')?.calls).toBe(1);
      expect(counts.get('SQS:ReceiveMessage (empty)')?.calls).toBe(1);
      const cost = costOf(counts);
      expect(cost.dynamodb).toBeCloseTo(2 * PRICES.dynamoWriteUnit + 4 * PRICES.dynamoReadUnit, 15);
      expect(cost.sqs).toBeCloseTo(2 * PRICES.sqsRequest, 15);
    } finally {
      dynamodb.destroy();
      sqs.destroy();
    }
  });
});
