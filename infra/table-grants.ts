// Per-role, per-table DynamoDB grants: exactly the calls each function's code makes on each table,
// nothing on the tables it never touches. CDK's grantReadData/grantReadWriteData would hand out
// DescribeTable, the stream actions and every read and write on the table, none of which a handler
// needs (the change feed is for consumers, not for us).
//
// DynamoDB Local does not enforce IAM, so a gap would only show in AWS: test/infra/stacks.test.ts
// derives the same table from the code (a call graph from each handler to the adapters' SDK
// commands, test/infra/sdk-calls.ts) and fails on any difference, in either direction.
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';

export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'Scan'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'ConditionCheckItem';

export interface TableAccess {
  mailbox?: readonly TableAction[];
  cursor?: readonly TableAction[];
  item?: readonly TableAction[];
}

export const TABLE_ACCESS = {
  worker: {
    mailbox: [
      'GetItem', // registry.get: every page reads its mailbox
      'Scan', // registry.list: fan-out continuation jobs page through the registry
      'Query', // the mailbox's live slots, read before one is taken
      'PutItem', // slots: take, hand off (conditional)
      'DeleteItem', // slots: release (conditional on the owner)
      'UpdateItem', // back-off (only forward) and park
    ],
    cursor: [
      'GetItem', // the page's cursor
      'Query', // a hierarchy completion lists the mailbox's folder cursors
      'PutItem', // cursors of new folders (attribute_not_exists)
      'UpdateItem', // every lease and advance (conditional on version and lease)
    ],
    item: [
      'BatchGetItem', // the current rows of a page's items
      'Query', // the live rows of a folder, for tombstoning and the resync sweep
      'PutItem', // fenced item writes and the closed-folder marker
      // The ConditionCheck on the closed-folder marker in the TransactWriteItems that makes a row
      // live (lib/adapters/dynamodb/closed-folder-guard.ts); its Puts need PutItem.
      'ConditionCheckItem',
    ],
  },
  scheduler: {
    mailbox: [
      'Scan', // registry.list: the tick pages through the registry
      // registry.unpark: the tick re-enables mailboxes parked for a reason Exchange reports
      // intermittently (lib/core/schedule/fan-out-tick.ts, RECHECKED_PARK_CODES).
      'UpdateItem',
    ],
    cursor: [
      'GetItem', // each mailbox's hierarchy cursor (read without its SyncState)
      'PutItem', // the hierarchy cursor of a new mailbox (attribute_not_exists)
    ],
  },
} as const satisfies Record<string, TableAccess>;

export function grantTableActions(table: ITable, grantee: IGrantable, actions: readonly TableAction[]): void {
  if (actions.length === 0) return;
  table.grant(grantee, ...actions.map((action) => `dynamodb:${action}`));
}
