// A deleted folder is closed in the item mirror by a marker row in its own partition
// (sk = CLOSED_FOLDER_SK, `closedVersion`). A write that makes an item live (the row was absent
// or a tombstone) goes in a transaction with a ConditionCheck on that marker, so it cannot land
// after the folder was closed at or above its fence: a page that thaws long after its invocation
// returned finds the door shut instead of leaving a phantom item under a deleted folder.
// Writes to rows that are live already need no guard: closing tombstones them at the closing
// version, which their own fence condition refuses.
import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { isConditionalCheckFailed } from './attribute-value.js';

/** The marker's sort key: `#` never starts an EWS or Graph item id (both are base64). */
export const CLOSED_FOLDER_SK = '#closed';

/** A put that only happens if `condition` holds on the stored row. */
export interface ConditionalPut {
  item: Record<string, AttributeValue>;
  condition: string;
  values: Record<string, AttributeValue>;
}

/** One ConditionCheck plus at most 99 puts: TransactWriteItems takes 100 actions. */
const PUTS_PER_TRANSACTION = 99;
/** Conflicts with concurrent writes of the same rows and throttling: tried again this often. */
const MAX_ATTEMPTS = 8;

export class ClosedFolderGuard {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** Closes the folder at `version` (only ever raised). */
  async close(pk: string, version: number, now: number, expiresAt: number): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: pk },
            sk: { S: CLOSED_FOLDER_SK },
            closedVersion: { N: String(version) },
            updatedAt: { N: String(now) },
            expiresAt: { N: String(expiresAt) },
          },
          ConditionExpression: 'attribute_not_exists(closedVersion) OR closedVersion < :v',
          ExpressionAttributeValues: { ':v': { N: String(version) } },
        }),
      );
    } catch (error) {
      // Closed at this version or a later one already.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /**
   * The puts, each only while the folder is not closed to `fence`; true for each one written,
   * false for each refused (by its own condition or by the closed folder).
   */
  async putAll(pk: string, fence: number, puts: ConditionalPut[]): Promise<boolean[]> {
    const results: boolean[] = [];
    for (let i = 0; i < puts.length; i += PUTS_PER_TRANSACTION) {
      results.push(...(await this.putChunk(pk, fence, puts.slice(i, i + PUTS_PER_TRANSACTION))));
    }
    return results;
  }

  private async putChunk(pk: string, fence: number, puts: ConditionalPut[]): Promise<boolean[]> {
    const results: boolean[] = puts.map(() => false);
    let pending = puts.map((put, index) => ({ put, index }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`guarded item writes of ${pk} kept conflicting`);
      if (attempt > 0) await pause(attempt);
      try {
        await this.client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                ConditionCheck: {
                  TableName: this.tableName,
                  Key: { pk: { S: pk }, sk: { S: CLOSED_FOLDER_SK } },
                  ConditionExpression: 'attribute_not_exists(closedVersion) OR closedVersion < :fence',
                  ExpressionAttributeValues: { ':fence': { N: String(fence) } },
                },
              },
              ...pending.map(({ put }) => ({
                Put: {
                  TableName: this.tableName,
                  Item: put.item,
                  ConditionExpression: put.condition,
                  ExpressionAttributeValues: put.values,
                },
              })),
            ],
          }),
        );
        for (const { index } of pending) results[index] = true;
        return results;
      } catch (error) {
        // A transaction is limited to 4 MB: large rows go in smaller ones.
        if (error instanceof Error && error.name === 'ValidationException' && pending.length > 1) {
          const half = Math.ceil(pending.length / 2);
          const parts = [pending.slice(0, half), pending.slice(half)];
          for (const part of parts) {
            const written = await this.putChunk(
              pk,
              fence,
              part.map(({ put }) => put),
            );
            part.forEach(({ index }, i) => {
              results[index] = written[i]!;
            });
          }
          return results;
        }
        const reasons = cancellationCodes(error);
        if (!reasons) throw error;
        // The folder is closed to this page: nothing of it may become live.
        if (reasons[0] === 'ConditionalCheckFailed') return results;
        // Refused by their own condition (a newer page wrote the row): drop them, retry the rest.
        pending = pending.filter((_, i) => reasons[i + 1] !== 'ConditionalCheckFailed');
      }
    }
    return results;
  }
}

/** The per-action cancellation codes of a cancelled transaction, or undefined for other errors. */
function cancellationCodes(error: unknown): (string | undefined)[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  if (!reasons) throw new Error(`a cancelled transaction without reasons: ${error.message}`);
  return reasons.map((reason) => reason.Code);
}

function pause(attempt: number): Promise<void> {
  const ms = Math.min(1000, 25 * 2 ** attempt) * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}
