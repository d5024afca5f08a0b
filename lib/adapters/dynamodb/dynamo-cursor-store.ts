import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateQuery,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  assertResumable,
  type CursorWrite,
  factsWrite,
  pageWrite,
  wholeRowWrite,
} from '../../core/cursor-write.js';
import { mapWithConcurrency } from '../../core/map-with-concurrency.js';
import { type Cursor, OPTIONAL_CURSOR_FIELDS } from '../../core/model.js';
import { type CursorStore, StaleCursorError } from '../../core/ports.js';
import {
  SyncStateObjectMissingError,
  type SyncStateRef,
  type SyncStateSpill,
} from '../s3/s3-sync-state-store.js';
import {
  fromAttributeMap,
  isConditionalCheckFailed,
  toAttributeMap,
  toAttributeValue,
} from './attribute-value.js';
import { LEGACY_CURSOR_FIELDS, LEGACY_STOPPED_STATUSES, upgradeCursorRow } from './legacy-rows.js';
import { SyncStatePlacement } from './sync-state-placement.js';

export interface DynamoCursorStoreOptions {
  /** Where SyncStates above the threshold go (the state bucket). */
  spill?: SyncStateSpill;
  /** Default DEFAULT_SPILL_THRESHOLD_BYTES with a bucket (sync-state-placement.ts says why). */
  spillThresholdBytes?: number;
  /** Deleting a superseded spilled state failed: harmless (an orphan object), but worth a log line. */
  onOrphanedSyncState?: (ref: SyncStateRef, error: unknown) => void;
  /**
   * 'omit': cursors are read without their SyncState (the reads project every attribute but
   * `syncState` and `syncStateRef`, so neither the inline bytes nor the state bucket are touched),
   * for readers that need only status, lease and timestamps (the scheduler). Such a store must
   * never write back a cursor it read: `replace` throws (the row would lose its SyncState);
   * `create` works as usual. Default 'read'.
   */
  syncState?: 'read' | 'omit';
}

/** A store that reads cursors without their SyncState was asked to write one back. */
export class SyncStateOmittedError extends Error {
  override readonly name = 'SyncStateOmittedError';
  constructor(
    readonly mailboxId: string,
    readonly folderId: string,
  ) {
    super(
      `cursor ${mailboxId}/${folderId}: this store reads cursors without their SyncState (syncState: 'omit') ` +
        'and cannot write one back; use a store that reads the SyncState',
    );
  }
}

/** Every required field of a cursor; with OPTIONAL_CURSOR_FIELDS, every field of the row. */
const REQUIRED_CURSOR_FIELDS = [
  'mailboxId',
  'folderId',
  'kind',
  'version',
  'generation',
  'status',
  'pages',
  'changesApplied',
  'updatedAt',
] as const satisfies readonly (keyof Cursor)[];

type UnprojectedField = Exclude<
  keyof Cursor,
  (typeof REQUIRED_CURSOR_FIELDS)[number] | (typeof OPTIONAL_CURSOR_FIELDS)[number]
>;
/** Compile-time check: `never` when a new Cursor field is missing from the lists above. */
export const EVERY_CURSOR_FIELD_PROJECTED: [UnprojectedField] extends [never] ? true : never = true;

/** The read of a cursor without its SyncState: every other field, by placeholder (many are reserved words). */
const WITHOUT_SYNC_STATE = (() => {
  const fields = [...REQUIRED_CURSOR_FIELDS, ...OPTIONAL_CURSOR_FIELDS, ...LEGACY_CURSOR_FIELDS].filter(
    (f) => f !== 'syncState',
  );
  return {
    // The keys are the row's pk and sk (older rows also carry copies named mailboxId and folderId).
    ProjectionExpression: ['pk', 'sk', ...fields.map((_, i) => `#p${i}`)].join(', '),
    ExpressionAttributeNames: Object.fromEntries(fields.map((f, i) => [`#p${i}`, f])),
  };
})();

/** Attributes that are keys or storage details, not Cursor fields. */
const ROW_ONLY = new Set(['pk', 'sk', 'syncState', 'syncStateRef']);
/**
 * Cursor fields that are the row's key (pk, sk): never stored as attributes of their own. Every
 * write bills the whole row by the kilobyte, and the folder id alone is 100-150 bytes: with a real
 * Exchange Online SyncState (about 450 bytes) the copies pushed an idle page's write to 2 units.
 * Rows written before keep their copies until a write removes them.
 */
const KEY_FIELDS = ['mailboxId', 'folderId'] as const;
/** A cursor row read just before its spilled state was superseded: read the row again. */
const MISSING_STATE_RETRIES = 3;

/**
 * Cursors: pk = mailboxId, sk = folderId. Every write after creation is conditional on the
 * version the writer read (and, when asked, on its lease), so only one writer advances a cursor.
 */
export class DynamoCursorStore implements CursorStore {
  private readonly placement: SyncStatePlacement;
  private readonly omitSyncState: boolean;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: DynamoCursorStoreOptions = {},
  ) {
    this.placement = new SyncStatePlacement(options.spill, options.spillThresholdBytes);
    this.omitSyncState = options.syncState === 'omit';
  }

  async get(mailboxId: string, folderId: string): Promise<Cursor | undefined> {
    for (let attempt = 1; ; attempt++) {
      const { Item } = await this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: key(mailboxId, folderId),
          ConsistentRead: true,
          ...(this.omitSyncState ? WITHOUT_SYNC_STATE : {}),
        }),
      );
      if (!Item) return undefined;
      try {
        return await this.toCursor(Item);
      } catch (error) {
        if (!(error instanceof SyncStateObjectMissingError) || attempt >= MISSING_STATE_RETRIES) throw error;
      }
    }
  }

  async listByMailbox(mailboxId: string): Promise<Cursor[]> {
    const items: Record<string, AttributeValue>[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: mailboxId } },
        ConsistentRead: true,
        ...(this.omitSyncState ? WITHOUT_SYNC_STATE : {}),
      },
    );
    for await (const page of pages) items.push(...(page.Items ?? []));
    return mapWithConcurrency(items, 8, async (item) => {
      try {
        return await this.toCursor(item);
      } catch (error) {
        if (!(error instanceof SyncStateObjectMissingError)) throw error;
        // Superseded while we listed: the row now points at a newer state.
        const cursor = await this.get(item.pk!.S!, item.sk!.S!);
        if (!cursor) throw error;
        return cursor;
      }
    });
  }

  async create(cursor: Cursor): Promise<boolean> {
    const { syncState: _syncState, mailboxId: _mailboxId, folderId: _folderId, ...fields } = cursor;
    const stored = await this.placement.place(cursor);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...toAttributeMap(fields),
            ...stored.attributes,
            ...key(cursor.mailboxId, cursor.folderId),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      this.placement.written(cursor, stored);
      return true;
    } catch (error) {
      if (stored.uploaded) await this.discardUnlessStored(cursor, stored.ref!);
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async replace(expected: Cursor, next: Cursor, requireLeaseOwner?: string): Promise<void> {
    if (this.omitSyncState) throw new SyncStateOmittedError(expected.mailboxId, expected.folderId);
    sameRow(expected, next, 'replace');
    if (next.version <= expected.version) {
      throw new Error(
        `cursor ${next.mailboxId}/${next.folderId} version must move forward: ${expected.version} -> ${next.version}`,
      );
    }
    if (next.stop !== undefined)
      throw new Error(`cursor ${next.mailboxId}/${next.folderId}: a page's write cannot stop a folder`);
    // The stored page fields become exactly `next`'s (lib/core/cursor-write.ts): every page field
    // it sets is SET, every optional one it leaves out is REMOVEd, whether or not the writer saw
    // it. Folder facts are the hierarchy's: not named (legacy fact attributes neither).
    const update = new UpdateBuilder();
    const condition = [
      `${update.name('version')} = :expectedVersion`,
      notStopped(update),
      ...leaseCondition(update, requireLeaseOwner),
    ];
    update.value(':expectedVersion', { N: String(expected.version) });
    await this.writeWithSyncState(expected, next, pageWrite(next), update, condition);
  }

  async resume(expected: Cursor, next: Cursor): Promise<void> {
    if (this.omitSyncState) throw new SyncStateOmittedError(expected.mailboxId, expected.folderId);
    assertResumable(expected, next);
    // The whole row becomes `next`: legacy attributes go too.
    const update = new UpdateBuilder();
    for (const field of LEGACY_CURSOR_FIELDS) update.remove(field);
    const condition = [
      `${update.name('version')} = :expectedVersion`,
      `NOT (${notStopped(update)})`,
      factsRevisionCondition(update, expected),
    ];
    update.value(':expectedVersion', { N: String(expected.version) });
    await this.writeWithSyncState(expected, next, wholeRowWrite(next), update, condition);
  }

  async writeFacts(expected: Cursor, next: Cursor, requireLeaseOwner?: string): Promise<{ version: number }> {
    sameRow(expected, next, 'writeFacts');
    if ((next.factsRevision ?? 0) <= (expected.factsRevision ?? 0))
      throw new Error(
        `cursor ${next.mailboxId}/${next.folderId} facts revision must move forward: ${expected.factsRevision ?? 0} -> ${next.factsRevision ?? 0}`,
      );
    const update = new UpdateBuilder();
    addWrite(update, factsWrite(next));
    // The facts as the writer's cursor has them replace the legacy shape (read into them).
    for (const field of LEGACY_CURSOR_FIELDS) update.remove(field);
    const condition = [
      'attribute_exists(pk)',
      factsRevisionCondition(update, expected),
      ...leaseCondition(update, requireLeaseOwner),
    ];
    const after = await this.conditionalUpdate(expected, update, condition, 'ALL_NEW');
    return { version: Number(after?.version?.N) };
  }

  async requestSync(mailboxId: string, folderId: string, at: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(mailboxId, folderId),
          UpdateExpression: 'SET syncRequestedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': { N: String(at) } },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** A write that names the SyncState (a page's write, or a resume). */
  private async writeWithSyncState(
    expected: Cursor,
    next: Cursor,
    write: CursorWrite,
    update: UpdateBuilder,
    condition: string[],
  ): Promise<void> {
    addWrite(update, write);
    // The SyncState is written like any field: an absent one removes the stored one. A spilled
    // one is uploaded again unless the row holds it at the version this write is conditional on
    // (sync-state-placement.ts); a superseded object is deleted below.
    const stored = await this.placement.place(next, expected.version);
    const uploaded = stored.uploaded ? stored.ref : undefined;
    for (const attribute of ['syncState', 'syncStateRef']) {
      const value = stored.attributes[attribute];
      if (value) update.set(attribute, value);
      else update.remove(attribute);
    }
    let previous: Record<string, AttributeValue> | undefined;
    try {
      previous = await this.conditionalUpdate(expected, update, condition, 'ALL_OLD');
    } catch (error) {
      if (uploaded) await this.discardUnlessStored(next, uploaded);
      throw error;
    }
    this.placement.written(next, stored);
    const superseded = previous?.syncStateRef
      ? (fromAttributeMap(previous.syncStateRef.M!) as unknown as SyncStateRef)
      : undefined;
    if (superseded && superseded.key !== stored.ref?.key) await this.discard(superseded);
  }

  /**
   * The cursor row's UpdateItem under `condition`; a failed condition is a StaleCursorError.
   * Returns the row's attributes before or after, as asked.
   */
  private async conditionalUpdate(
    expected: Cursor,
    update: UpdateBuilder,
    condition: string[],
    returnValues: 'ALL_OLD' | 'ALL_NEW',
  ): Promise<Record<string, AttributeValue> | undefined> {
    try {
      const result = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(expected.mailboxId, expected.folderId),
          ...update.build(),
          ConditionExpression: condition.join(' AND '),
          ReturnValues: returnValues,
        }),
      );
      return result.Attributes;
    } catch (error) {
      if (isConditionalCheckFailed(error))
        throw new StaleCursorError(expected.mailboxId, expected.folderId, expected.version);
      throw error;
    }
  }

  private async toCursor(item: Record<string, AttributeValue>): Promise<Cursor> {
    const { pk, sk, syncStateRef, ...fields } = upgradeCursorRow(fromAttributeMap(item));
    const cursor = { ...fields, mailboxId: pk, folderId: sk } as unknown as Cursor;
    if (this.omitSyncState) {
      // The projection left both out; nothing here may hand out a SyncState or fetch one.
      delete cursor.syncState;
      return cursor;
    }
    if (syncStateRef) cursor.syncState = await this.placement.read(cursor, syncStateRef as SyncStateRef);
    return cursor;
  }

  /**
   * The upload of a write that failed goes, unless the row points at it: a write can land and
   * its answer be lost (a timeout), and the SDK's retry of it then fails its own condition. One
   * consistent read tells; if it fails too, the object stays (an orphan, logged).
   */
  private async discardUnlessStored(row: Cursor, uploaded: SyncStateRef): Promise<void> {
    try {
      const { Item } = await this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: key(row.mailboxId, row.folderId),
          ConsistentRead: true,
          ProjectionExpression: 'syncStateRef',
        }),
      );
      const stored = Item?.syncStateRef
        ? (fromAttributeMap(Item.syncStateRef.M!) as unknown as SyncStateRef)
        : undefined;
      if (stored?.key === uploaded.key) return;
    } catch (error) {
      this.options.onOrphanedSyncState?.(uploaded, error);
      return;
    }
    await this.discard(uploaded);
  }

  private async discard(ref: SyncStateRef): Promise<void> {
    try {
      await this.options.spill?.delete(ref);
    } catch (error) {
      this.options.onOrphanedSyncState?.(ref, error);
    }
  }
}

function sameRow(expected: Cursor, next: Cursor, method: string): void {
  if (expected.mailboxId !== next.mailboxId || expected.folderId !== next.folderId) {
    throw new Error(`${method}() cannot move cursor ${expected.mailboxId}/${expected.folderId}`);
  }
}

/** The write's SETs and REMOVEs (keys and storage details are not fields). */
function addWrite(update: UpdateBuilder, write: CursorWrite): void {
  for (const [field, value] of Object.entries(write.set)) {
    if (ROW_ONLY.has(field) || (KEY_FIELDS as readonly string[]).includes(field)) continue;
    update.set(field, toAttributeValue(value)!);
  }
  for (const field of write.remove) if (!ROW_ONLY.has(field)) update.remove(field);
  for (const field of KEY_FIELDS) update.remove(field);
}

/** No stop, in either shape: a legacy row says gone or excluded in its status (legacy-rows.ts). */
function notStopped(update: UpdateBuilder): string {
  const legacy = LEGACY_STOPPED_STATUSES.map((status, i) => {
    update.value(`:stopped${i}`, { S: status });
    return `${update.name('status')} <> :stopped${i}`;
  });
  return [`attribute_not_exists(${update.name('stop')})`, ...legacy].join(' AND ');
}

function leaseCondition(update: UpdateBuilder, requireLeaseOwner: string | undefined): string[] {
  if (requireLeaseOwner === undefined) return [];
  update.value(':leaseOwner', { S: requireLeaseOwner });
  return [`${update.name('lease')}.${update.name('owner')} = :leaseOwner`];
}

/** The facts revision the writer read (absent and 0 are the same: never written). */
function factsRevisionCondition(update: UpdateBuilder, expected: Cursor): string {
  const revision = expected.factsRevision ?? 0;
  update.value(':expectedFactsRevision', { N: String(revision) });
  const name = update.name('factsRevision');
  return revision === 0
    ? `(attribute_not_exists(${name}) OR ${name} = :expectedFactsRevision)`
    : `${name} = :expectedFactsRevision`;
}

function key(mailboxId: string, folderId: string): Record<string, AttributeValue> {
  return { pk: { S: mailboxId }, sk: { S: folderId } };
}

/** Builds SET/REMOVE expressions with placeholders for every name (many are reserved words). */
class UpdateBuilder {
  private readonly names: Record<string, string> = {};
  private readonly placeholders = new Map<string, string>();
  private readonly values: Record<string, AttributeValue> = {};
  private readonly sets: string[] = [];
  private readonly removes: string[] = [];

  name(attribute: string): string {
    let placeholder = this.placeholders.get(attribute);
    if (!placeholder) {
      placeholder = `#n${this.placeholders.size}`;
      this.placeholders.set(attribute, placeholder);
      this.names[placeholder] = attribute;
    }
    return placeholder;
  }

  value(placeholder: string, value: AttributeValue): void {
    this.values[placeholder] = value;
  }

  set(attribute: string, value: AttributeValue): void {
    const placeholder = `:v${this.sets.length}`;
    this.values[placeholder] = value;
    this.sets.push(`${this.name(attribute)} = ${placeholder}`);
  }

  remove(attribute: string): void {
    this.removes.push(this.name(attribute));
  }

  build() {
    const clauses = [];
    if (this.sets.length > 0) clauses.push(`SET ${this.sets.join(', ')}`);
    if (this.removes.length > 0) clauses.push(`REMOVE ${this.removes.join(', ')}`);
    return {
      UpdateExpression: clauses.join(' '),
      ExpressionAttributeNames: this.names,
      ExpressionAttributeValues: this.values,
    };
  }
}
