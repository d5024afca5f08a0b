// Item-level DynamoDB grants. CDK's grantReadData/grantReadWriteData also hand out DescribeTable
// and the stream actions (GetRecords, GetShardIterator) on the table, which no handler uses: the
// change feed is for consumers, not for us.
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';

// Exactly the calls the adapters make (lib/adapters/dynamodb); test/infra/stacks.test.ts fails when
// an adapter starts using a command the worker is not granted, because DynamoDB Local does not
// enforce IAM and the gap would only show in AWS.

/** Reads: single items, batches, a partition (cursors of a mailbox, items of a folder), and the
 * registry scan of the fan-out. */
export const TABLE_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
] as const;

/** Conditional single-item writes: the fences and leases live in their conditions. */
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

export function grantTableRead(table: ITable, grantee: IGrantable): void {
  table.grant(grantee, ...TABLE_READ_ACTIONS);
}

export function grantTableReadWrite(table: ITable, grantee: IGrantable): void {
  table.grant(grantee, ...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS);
}
