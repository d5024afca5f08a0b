// Deleting for good, for `mailbox purge` (lib/core/operator/purge-mailbox.ts). Apart from the sync's
// adapters so that no Lambda reaches a delete: the worker's role holds no DeleteItem or
// BatchWriteItem on the mirror, and these are operator-only calls (test/infra/policies.ts).
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  DeleteItemCommand,
  type DynamoDBClient,
  paginateQuery,
} from '@aws-sdk/client-dynamodb';
import type { CursorEraser, MirrorEraser } from '../../core/operator/erasure-ports.js';
import { CLOSED_FOLDER_SK } from './closed-folder-guard.js';
import { partitionKey } from './dynamo-item-mirror.js';

/** BatchWriteItem takes at most 25 requests. */
const BATCH_WRITE_SIZE = 25;
/** Unprocessed items (DynamoDB throttling a batch) are tried again this often. */
const MAX_ATTEMPTS = 10;

/** A batch of deletes DynamoDB kept refusing to process. */
export class BatchDeleteError extends Error {
  override readonly name = 'BatchDeleteError';
  constructor(
    readonly tableName: string,
    readonly unprocessed: number,
  ) {
    super(`${unprocessed} delete(s) in ${tableName} stayed unprocessed after ${MAX_ATTEMPTS} attempts`);
  }
}

/** The item mirror's rows of a folder: pk = `${mailboxId}#${folderId}` (DynamoItemMirror). */
export class DynamoMirrorEraser implements MirrorEraser {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async countFolderRows(mailboxId: string, folderId: string): Promise<number> {
    let count = 0;
    for await (const keys of this.keyPages(partitionKey(mailboxId, folderId)))
      count += keys.filter(isItemRow).length;
    return count;
  }

  async deleteFolderRows(mailboxId: string, folderId: string): Promise<number> {
    const pk = partitionKey(mailboxId, folderId);
    let deleted = 0;
    for await (const keys of this.keyPages(pk)) {
      const items = keys.filter(isItemRow);
      await this.deleteKeys(items);
      deleted += items.length;
    }
    // The marker last: the folder stays closed to late pages while its rows go.
    await this.client.send(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: pk }, sk: { S: CLOSED_FOLDER_SK } },
      }),
    );
    return deleted;
  }

  /** The keys of a partition, a page at a time: a folder of 100,000 items never sits in memory whole. */
  private async *keyPages(pk: string): AsyncGenerator<Record<string, AttributeValue>[]> {
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
      },
    );
    for await (const page of pages) yield page.Items ?? [];
  }

  /** Deletes the keys, 25 per BatchWriteItem, retrying what DynamoDB leaves unprocessed. */
  private async deleteKeys(keys: readonly Record<string, AttributeValue>[]): Promise<void> {
    for (let i = 0; i < keys.length; i += BATCH_WRITE_SIZE) {
      let requests = keys.slice(i, i + BATCH_WRITE_SIZE).map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt >= MAX_ATTEMPTS) throw new BatchDeleteError(this.tableName, requests.length);
        if (attempt > 0) await pause(attempt);
        const result: BatchWriteItemCommandOutput = await this.client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.tableName]: requests } }),
        );
        requests = (result.UnprocessedItems?.[this.tableName] ?? []).flatMap((r) =>
          r.DeleteRequest?.Key ? [{ DeleteRequest: { Key: r.DeleteRequest.Key } }] : [],
        );
      }
    }
  }
}

/** Items, not the folder's closed marker (a key condition cannot exclude one sort key). */
const isItemRow = (key: Record<string, AttributeValue>) => key.sk?.S !== CLOSED_FOLDER_SK;

/** The cursor table: pk = mailboxId, sk = folderId (DynamoCursorStore). */
export class DynamoCursorEraser implements CursorEraser {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async deleteCursor(mailboxId: string, folderId: string): Promise<void> {
    await this.client.send(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: mailboxId }, sk: { S: folderId } },
      }),
    );
  }
}

function pause(attempt: number): Promise<void> {
  const ms = Math.min(2000, 25 * 2 ** attempt) * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}
