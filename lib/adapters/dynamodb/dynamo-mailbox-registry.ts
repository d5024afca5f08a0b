import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateQuery,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Mailbox } from '../../core/model.js';
import type { MailboxPage, MailboxRegistry } from '../../core/ports.js';
import { fromAttributeMap, isConditionalCheckFailed, toAttributeMap } from './attribute-value.js';

const MAILBOX_SK = '#mailbox';
const slotKey = (slot: number) => `slot#${slot}`;
/** Slot rows outlive their lease by an hour; TTL only tidies up, `until` decides. */
const SLOT_TTL_GRACE_SECONDS = 3600;

/** A list() continuation token that this registry did not issue. */
export class InvalidPageTokenError extends Error {
  override readonly name = 'InvalidPageTokenError';
  constructor(readonly token: string) {
    super('invalid mailbox page token');
  }
}

export interface DynamoMailboxRegistryOptions {
  /** Where acquireSlot starts trying: random spreads contention over the slots. */
  random?: () => number;
}

/**
 * The mailbox table: one '#mailbox' row per mailbox plus up to maxConcurrentSyncs 'slot#n' rows,
 * the per-mailbox concurrency leases shared by all workers.
 */
export class DynamoMailboxRegistry implements MailboxRegistry {
  private readonly random: () => number;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    options: DynamoMailboxRegistryOptions = {},
  ) {
    this.random = options.random ?? Math.random;
  }

  async get(mailboxId: string): Promise<Mailbox | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: key(mailboxId, MAILBOX_SK),
        ConsistentRead: true,
      }),
    );
    return Item ? toMailbox(Item) : undefined;
  }

  async put(mailbox: Mailbox): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: { ...toAttributeMap(mailbox), ...key(mailbox.mailboxId, MAILBOX_SK) },
      }),
    );
  }

  /** Removes the mailbox row and its slot rows. */
  async remove(mailboxId: string): Promise<void> {
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: mailboxId } },
        ProjectionExpression: 'pk, sk',
      },
    );
    for await (const page of pages) {
      await Promise.all(
        (page.Items ?? []).map((item) =>
          this.client.send(
            new DeleteItemCommand({ TableName: this.tableName, Key: { pk: item.pk!, sk: item.sk! } }),
          ),
        ),
      );
    }
  }

  /**
   * Pages through mailbox rows with a Scan (slot rows are filtered out). A page holds at most
   * `limit` mailboxes; it may hold fewer even when more follow.
   */
  async list(options: { limit?: number; next?: string } = {}): Promise<MailboxPage> {
    const limit = options.limit ?? 100;
    let startKey = options.next ? decodeToken(options.next) : undefined;
    const mailboxes: Mailbox[] = [];
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'sk = :sk',
          ExpressionAttributeValues: { ':sk': { S: MAILBOX_SK } },
          Limit: limit - mailboxes.length,
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      mailboxes.push(...(page.Items ?? []).map(toMailbox));
      startKey = page.LastEvaluatedKey;
    } while (startKey && mailboxes.length < limit);
    return startKey ? { mailboxes, next: encodeToken(startKey) } : { mailboxes };
  }

  async extendBackoff(mailboxId: string, until: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(mailboxId, MAILBOX_SK),
          UpdateExpression: 'SET backoffUntil = :until',
          // Only forward: another worker may already have set a longer back-off.
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(backoffUntil) OR backoffUntil < :until)',
          ExpressionAttributeValues: { ':until': { N: String(until) } },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async park(mailboxId: string, reason: string, now: number): Promise<void> {
    await this.setStatus(mailboxId, 'SET #status = :status, parkedReason = :reason, updatedAt = :now', {
      ':status': { S: 'parked' },
      ':reason': { S: reason },
      ':now': { N: String(now) },
    });
  }

  async unpark(mailboxId: string, now: number): Promise<void> {
    await this.setStatus(mailboxId, 'SET #status = :status, updatedAt = :now REMOVE parkedReason', {
      ':status': { S: 'enabled' },
      ':now': { N: String(now) },
    });
  }

  /** Changes only the status fields, so a back-off another worker writes meanwhile survives. */
  private async setStatus(
    mailboxId: string,
    update: string,
    values: Record<string, AttributeValue>,
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(mailboxId, MAILBOX_SK),
          UpdateExpression: update,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      // A mailbox removed meanwhile has nothing left to change.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async acquireSlot(
    mailboxId: string,
    max: number,
    owner: string,
    until: number,
    now: number,
    claim?: string,
  ): Promise<number | undefined> {
    // One read first: a full mailbox costs one read unit instead of `max` failed conditional
    // writes, which matters because busy workers ask again and again.
    const held = await this.liveSlots(mailboxId, now);
    const handedOff = claim === undefined ? undefined : [...held].find(([, holder]) => holder === claim)?.[0];
    if (
      handedOff !== undefined &&
      (await this.putSlot(mailboxId, handedOff, owner, until, '#owner = :claim', { ':claim': { S: claim! } }))
    )
      return handedOff;
    const start = Math.floor(this.random() * max);
    for (let i = 0; i < max; i++) {
      const slot = (start + i) % max;
      if (held.has(slot)) continue;
      const free = 'attribute_not_exists(pk) OR #until <= :now';
      if (await this.putSlot(mailboxId, slot, owner, until, free, { ':now': { N: String(now) } }))
        return slot;
    }
    return undefined;
  }

  async handOffSlot(
    mailboxId: string,
    slot: number,
    owner: string,
    to: string,
    until: number,
  ): Promise<boolean> {
    return this.putSlot(mailboxId, slot, to, until, '#owner = :owner', { ':owner': { S: owner } });
  }

  /** Writes a slot row if `condition` holds; false when it does not. */
  private async putSlot(
    mailboxId: string,
    slot: number,
    owner: string,
    until: number,
    condition: string,
    values: Record<string, AttributeValue>,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...key(mailboxId, slotKey(slot)),
            owner: { S: owner },
            until: { N: String(until) },
            expiresAt: { N: String(Math.ceil(until / 1000) + SLOT_TTL_GRACE_SECONDS) },
          },
          ConditionExpression: condition,
          ExpressionAttributeNames: condition.includes('#until')
            ? { '#until': 'until' }
            : { '#owner': 'owner' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return false;
    }
  }

  /** Slots whose lease has not expired, with their holders (a hint: the conditional put decides). */
  private async liveSlots(mailboxId: string, now: number): Promise<Map<number, string>> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        // Consistent: a slot released a moment ago must not look held.
        ConsistentRead: true,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :slot)',
        ExpressionAttributeValues: { ':pk': { S: mailboxId }, ':slot': { S: slotKey(0).slice(0, -1) } },
        ProjectionExpression: 'sk, #until, #owner',
        ExpressionAttributeNames: { '#until': 'until', '#owner': 'owner' },
      }),
    );
    const live = new Map<number, string>();
    for (const item of Items) {
      if (Number(item.until?.N ?? 0) > now)
        live.set(Number(item.sk?.S?.slice(slotKey(0).length - 1)), item.owner?.S ?? '');
    }
    return live;
  }

  async releaseSlot(mailboxId: string, slot: number, owner: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: key(mailboxId, slotKey(slot)),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': { S: owner } },
        }),
      );
    } catch (error) {
      // Expired and taken by someone else: theirs now.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}

function key(pk: string, sk: string): Record<string, AttributeValue> {
  return { pk: { S: pk }, sk: { S: sk } };
}

function toMailbox(item: Record<string, AttributeValue>): Mailbox {
  const { pk: _pk, sk: _sk, ...rest } = fromAttributeMap(item);
  return rest as unknown as Mailbox;
}

function encodeToken(lastKey: Record<string, AttributeValue>): string {
  return Buffer.from(JSON.stringify({ pk: lastKey.pk?.S, sk: lastKey.sk?.S })).toString('base64url');
}

function decodeToken(token: string): Record<string, AttributeValue> {
  try {
    const { pk, sk } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      pk: unknown;
      sk: unknown;
    };
    if (typeof pk !== 'string' || typeof sk !== 'string') throw new Error('bad shape');
    return key(pk, sk);
  } catch {
    throw new InvalidPageTokenError(token);
  }
}
