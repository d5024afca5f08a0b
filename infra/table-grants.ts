// Item-level DynamoDB grants. CDK's grantReadData/grantReadWriteData also hand out DescribeTable
// and the stream actions (GetRecords, GetShardIterator) on the table, which no handler uses: the
// change feed is for consumers, not for us.
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';

/** Reads: single items, batches, a partition (cursors of a mailbox, items of a folder), and the
 * registry scan of the fan-out. */
export const TABLE_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
] as const;

/** Writes, including the conditional ones inside TransactWriteItems (authorised per action). */
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

export function grantTableRead(table: ITable, grantee: IGrantable): void {
  table.grant(grantee, ...TABLE_READ_ACTIONS);
}

export function grantTableReadWrite(table: ITable, grantee: IGrantable): void {
  table.grant(grantee, ...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS);
}
