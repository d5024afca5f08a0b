// Where a cursor's SyncState lives: in its row, or in the state bucket with a reference in the
// row. A DynamoDB write bills the whole row (the larger of before and after) by the kilobyte, so
// a big SyncState in the row makes every write of the row cost as many write units as it has
// kilobytes, whether or not the write changed it; an object in the bucket costs one PUT when the
// state changes ($5 a million, as much as 8 write units) and one GET when a page reads it. Above
// 8 KB the bucket is the cheaper place; above 300 KB the row cannot hold it at all (400 KB items).
import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Cursor } from '../../core/model.js';
import type { SyncStateRef, SyncStateSpill } from '../s3/s3-sync-state-store.js';
import { toAttributeMap } from './attribute-value.js';

/** Above this a SyncState cannot stay in its row (DynamoDB items are limited to 400 KB). */
export const MAX_INLINE_SYNC_STATE_BYTES = 300 * 1024;
/** Above this, with a state bucket, a SyncState goes to the bucket: cheaper than in the row. */
export const DEFAULT_SPILL_THRESHOLD_BYTES = 8 * 1024;
/** Rows whose spilled state this container remembers (a digest and a reference each). */
const REMEMBERED_ROWS = 10_000;

/** A SyncState too large for DynamoDB and no S3 store to spill it to. */
export class SyncStateTooLargeError extends Error {
  override readonly name = 'SyncStateTooLargeError';
  constructor(
    readonly mailboxId: string,
    readonly folderId: string,
    readonly bytes: number,
  ) {
    super(`SyncState of ${mailboxId}/${folderId} is ${bytes} bytes and no state bucket is configured`);
  }
}

export interface PlacedSyncState {
  /** The row's `syncState` or `syncStateRef` (neither for no SyncState). */
  attributes: Record<string, AttributeValue>;
  /** The object the row will point at, if the state is in the bucket, and the state's digest. */
  ref?: SyncStateRef;
  digest?: string;
  /** Whether that object was uploaded for this write (to delete if the write fails). */
  uploaded: boolean;
}

const digestOf = (syncState: string) => createHash('sha256').update(syncState).digest('base64');
const rowOf = (cursor: Pick<Cursor, 'mailboxId' | 'folderId'>) => `${cursor.mailboxId}\n${cursor.folderId}`;

export class SyncStatePlacement {
  /**
   * The spilled state a row holds at a version, as this container last read or wrote it. A row's
   * SyncState changes only with its version (every page write moves it; facts writes name no
   * SyncState), so a write conditional on that version that keeps the state keeps the object:
   * no upload, no delete. EWS returns a new SyncState at every call, so this spares uploads
   * mostly for leases and hand-overs, and for sources that return the same state when idle.
   */
  private readonly spilled = new Map<string, { version: number; digest: string; ref: SyncStateRef }>();

  constructor(
    private readonly spill: SyncStateSpill | undefined,
    private readonly threshold = spill ? DEFAULT_SPILL_THRESHOLD_BYTES : MAX_INLINE_SYNC_STATE_BYTES,
  ) {}

  /** Where `next`'s SyncState goes for a write conditional on `expectedVersion` (none: a create). */
  async place(next: Cursor, expectedVersion?: number): Promise<PlacedSyncState> {
    const { syncState } = next;
    if (syncState === undefined) return { attributes: {}, uploaded: false };
    const bytes = Buffer.byteLength(syncState, 'utf8');
    if (bytes <= this.threshold || (!this.spill && bytes <= MAX_INLINE_SYNC_STATE_BYTES))
      return { attributes: { syncState: { S: syncState } }, uploaded: false };
    if (!this.spill) throw new SyncStateTooLargeError(next.mailboxId, next.folderId, bytes);
    const known = this.spilled.get(rowOf(next));
    const digest = digestOf(syncState);
    const kept = known?.version === expectedVersion && known?.digest === digest ? known?.ref : undefined;
    const ref = kept ?? (await this.spill.put(next.mailboxId, next.folderId, next.version, syncState));
    const attributes = { syncStateRef: { M: toAttributeMap(ref) } };
    return { attributes, ref, digest, uploaded: kept === undefined };
  }

  /** The write of `next` with `placed` landed. */
  written(next: Cursor, placed: PlacedSyncState): void {
    if (placed.ref && placed.digest) this.remember(next, next.version, placed.digest, placed.ref);
    else this.spilled.delete(rowOf(next));
  }

  /** A row's spilled SyncState, read from the bucket. */
  async read(cursor: Cursor, ref: SyncStateRef): Promise<string> {
    if (!this.spill)
      throw new Error(
        `cursor ${cursor.mailboxId}/${cursor.folderId} has a spilled SyncState but no state bucket is configured`,
      );
    const syncState = await this.spill.get(ref);
    this.remember(cursor, cursor.version, digestOf(syncState), ref);
    return syncState;
  }

  private remember(row: Cursor, version: number, digest: string, ref: SyncStateRef): void {
    const key = rowOf(row);
    this.spilled.delete(key);
    this.spilled.set(key, { version, digest, ref });
    if (this.spilled.size > REMEMBERED_ROWS) this.spilled.delete(this.spilled.keys().next().value!);
  }
}
