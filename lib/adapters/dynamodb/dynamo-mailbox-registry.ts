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
import { decodePageToken } from '../../core/jobs/job-fields.js';
import type { FolderKind, Mailbox, MailboxSource } from '../../core/model.js';
import { parseMailbox } from '../../core/model-schema.js';
import type { MailboxPage, MailboxRegistry } from '../../core/ports.js';
import { fromAttributeMap, isConditionalCheckFailed, toAttributeMap } from './attribute-value.js';
import { upgradeMailboxRow } from './legacy-rows.js';

const MAILBOX_SK = '#mailbox';
const slotKey = (slot: number) => `slot#${slot}`;
/** Slot rows outlive their lease by an hour; TTL only tidies up, `until` decides. */
const SLOT_TTL_GRACE_SECONDS = 3600;

/** A list() continuation token that this registry did not issue, or one DynamoDB refuses. */
export class InvalidPageTokenError extends Error {
  override readonly name = 'InvalidPageTokenError';
  constructor(
    readonly token: string,
    options?: { cause?: unknown },
  ) {
    super('invalid mailbox page token', options);
  }
}

/** The park reason code of a mailbox whose registry row fails validation. */
export const INVALID_ROW_CODE = 'InvalidRegistryRow';
/** Park reasons are kept short, like every other text stored in a row. */
const MAX_REASON_LENGTH = 500;

/** A mailbox row that fails the schema of a stored Mailbox (lib/core/model-schema.ts). */
export interface InvalidMailboxRow {
  /** The row's key (its mailboxId attribute may be the broken part). */
  mailboxId: string;
  /** `path: message`, e.g. `pageSize: must be at most 512`; never the values themselves. */
  issues: string[];
  /** `get`: the row was returned parked with the reason; `list`: the row was skipped. */
  operation: 'get' | 'list';
}

export interface DynamoMailboxRegistryOptions {
  /** Where acquireSlot starts trying: random spreads contention over the slots. */
  random?: () => number;
  /**
   * Told about every invalid row read (default: a warning on stderr, which Lambda sends to the
   * function's log). A composition root passes its own logger.
   */
  onInvalidRow?: (row: InvalidMailboxRow) => void;
}

function warnInvalidRow(row: InvalidMailboxRow): void {
  console.warn(
    JSON.stringify({
      level: 'WARN',
      message:
        row.operation === 'list'
          ? 'invalid mailbox registry row skipped'
          : 'invalid mailbox registry row treated as parked',
      ...row,
    }),
  );
}

/**
 * The mailbox table: one '#mailbox' row per mailbox plus up to maxConcurrentSyncs 'slot#n' rows,
 * the per-mailbox concurrency leases shared by all workers.
 */
export class DynamoMailboxRegistry implements MailboxRegistry {
  private readonly random: () => number;
  private readonly onInvalidRow: (row: InvalidMailboxRow) => void;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    options: DynamoMailboxRegistryOptions = {},
  ) {
    this.random = options.random ?? Math.random;
    this.onInvalidRow = options.onInvalidRow ?? warnInvalidRow;
  }

  /**
   * The mailbox, validated. A row that fails validation comes back parked, its reason naming
   * the problems (`InvalidRegistryRow: pageSize: must be at most 512`): the worker drops its jobs
   * without calling the server, the CLI shows why, and `mailbox add --replace` can repair it
   * (it keeps the parked status: unpark afterwards). Nothing is written to the row.
   */
  async get(mailboxId: string): Promise<Mailbox | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: key(mailboxId, MAILBOX_SK),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const read = readRow(Item);
    if (read.success) return read.mailbox;
    this.onInvalidRow({ mailboxId: read.mailboxId, issues: read.issues, operation: 'get' });
    return unusableMailbox(read.mailboxId, read.row, read.issues);
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
   * `limit` mailboxes; it may hold fewer even when more follow. Rows that fail validation are
   * left out (and reported to `onInvalidRow`), so one broken row never stops a tick.
   * Throws InvalidPageTokenError for a `next` this registry did not issue.
   */
  async list(options: { limit?: number; next?: string } = {}): Promise<MailboxPage> {
    const limit = options.limit ?? 100;
    let startKey = options.next === undefined ? undefined : decodeToken(options.next);
    const mailboxes: Mailbox[] = [];
    // The caller's token, until DynamoDB has accepted its key; later keys are DynamoDB's own.
    let token = options.next;
    do {
      const page = await this.scan(startKey, limit - mailboxes.length, token);
      token = undefined;
      for (const item of page.Items ?? []) {
        const read = readRow(item);
        if (read.success) mailboxes.push(read.mailbox);
        else this.onInvalidRow({ mailboxId: read.mailboxId, issues: read.issues, operation: 'list' });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && mailboxes.length < limit);
    return startKey ? { mailboxes, next: encodeToken(startKey) } : { mailboxes };
  }

  /** One Scan page; a start key DynamoDB refuses (too long a key) is an invalid `token`. */
  private async scan(startKey: Record<string, AttributeValue> | undefined, limit: number, token?: string) {
    try {
      return await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'sk = :sk',
          ExpressionAttributeValues: { ':sk': { S: MAILBOX_SK } },
          Limit: limit,
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
    } catch (error) {
      if (token !== undefined && error instanceof Error && error.name === 'ValidationException')
        throw new InvalidPageTokenError(token, { cause: error });
      throw error;
    }
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

type RowRead =
  | { success: true; mailbox: Mailbox }
  | { success: false; mailboxId: string; row: Record<string, unknown>; issues: string[] };

/** Parses a '#mailbox' row with the schema of a stored Mailbox; its key must match its id. */
function readRow(item: Record<string, AttributeValue>): RowRead {
  const { pk: _pk, sk: _sk, ...row } = upgradeMailboxRow(fromAttributeMap(item));
  const mailboxId = item.pk?.S ?? '';
  const parsed = parseMailbox(row);
  if (!parsed.success) return { success: false, mailboxId, row, issues: parsed.issues };
  if (parsed.mailbox.mailboxId !== mailboxId)
    return { success: false, mailboxId, row, issues: ['mailboxId: does not match the row key'] };
  return parsed;
}

/**
 * What `get` returns for an invalid row: parked, with the problems as its reason. The fields the
 * row holds with the right type are kept (for the operator to see), the others are placeholders
 * no one may use: a parked mailbox is never synced.
 */
function unusableMailbox(mailboxId: string, row: Record<string, unknown>, issues: string[]): Mailbox {
  const text = (value: unknown, fallback: string) => (typeof value === 'string' ? value : fallback);
  const count = (value: unknown, fallback: number) =>
    typeof value === 'number' && Number.isFinite(value) ? value : fallback;
  const strings = (value: unknown) =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  const filter = row.folderFilter as Record<string, unknown> | null | undefined;
  const reason = `${INVALID_ROW_CODE}: ${issues.join('; ')}`;
  const mailbox: Mailbox = {
    mailboxId,
    source: unusableSource(row.source, mailboxId),
    credentialsRef: text(row.credentialsRef, ''),
    folderFilter:
      filter && typeof filter === 'object'
        ? { wellKnownNames: strings(filter.wellKnownNames), kinds: strings(filter.kinds) as FolderKind[] }
        : {},
    pageSize: count(row.pageSize, 0),
    properties: [],
    maxConcurrentSyncs: count(row.maxConcurrentSyncs, 0),
    status: 'parked',
    parkedReason: reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 1)}…` : reason,
    createdAt: count(row.createdAt, 0),
    updatedAt: count(row.updatedAt, 0),
  };
  const backoffUntil = count(row.backoffUntil, Number.NaN);
  if (!Number.isNaN(backoffUntil)) mailbox.backoffUntil = backoffUntil;
  return mailbox;
}

/** The source as far as it can be read (for the operator to see); a parked mailbox never uses it. */
function unusableSource(value: unknown, mailboxId: string): MailboxSource {
  const source = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  if (source.kind === 'graph') {
    return {
      kind: 'graph',
      tenantId: text(source.tenantId),
      userId: text(source.userId) || mailboxId,
      baseUrl: text(source.baseUrl),
    };
  }
  return { kind: 'ews', endpoint: text(source.endpoint), smtpAddress: text(source.smtpAddress) || mailboxId };
}

function encodeToken(lastKey: Record<string, AttributeValue>): string {
  return Buffer.from(JSON.stringify({ pk: lastKey.pk?.S, sk: lastKey.sk?.S })).toString('base64url');
}

/** The token's shape is the job contract's (lib/core/jobs/registry.ts), so a fanout job's is checked early. */
function decodeToken(token: string): Record<string, AttributeValue> {
  const decoded = decodePageToken(token);
  if (!decoded) throw new InvalidPageTokenError(token);
  return key(decoded.pk, decoded.sk);
}
