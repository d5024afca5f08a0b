// The ports the use cases need. Adapters (lib/adapters/*) implement them; the core never imports
// an adapter, an AWS SDK or an HTTP client.

import type { SyncJob } from './jobs/registry.js';
import type { ItemProperties } from './mirror/item-properties.js';
import type { Cursor, FolderKind, Lease, Mailbox, MirrorItem } from './model.js';

// ---------------------------------------------------------------------------------------------
// Mail source: one per protocol (EWS, Graph); the port is protocol-free

export type ItemChange =
  | {
      kind: 'create' | 'update';
      itemId: string;
      changeKey?: string;
      /** Canonical item type (`Message`, `Contact`, ... see mirror/item-properties.ts). */
      itemType: string;
      /** The canonical projection, plus `isRead` when the source reports the read flag. */
      item: ItemProperties & { isRead?: boolean };
    }
  | { kind: 'delete'; itemId: string; changeKey?: string }
  | { kind: 'readFlagChange'; itemId: string; changeKey?: string; isRead: boolean };

export interface ItemPage {
  syncState: string;
  /** More changes wait on the server: the chain continues with this syncState. */
  more: boolean;
  /** In the exact order the server sent them. */
  changes: ItemChange[];
}

export interface FolderInfo {
  displayName?: string;
  /** What the folder holds, mapped by the adapter from its protocol's vocabulary. */
  kind?: FolderKind;
  parentFolderId?: string;
  /** `inbox`, `sentitems`, ... when the source names it so in the same call. */
  wellKnownName?: string;
}

export type FolderChange =
  | {
      kind: 'create' | 'update';
      folderId: string;
      changeKey?: string;
      /**
       * A virtual folder (a search folder): its items live in other folders and would be synced
       * twice, so it gets no cursor.
       */
      virtual?: boolean;
      folder: FolderInfo;
    }
  | { kind: 'delete'; folderId: string; changeKey?: string };

export interface FolderPage {
  syncState: string;
  /** More folder changes wait on the server. */
  more: boolean;
  changes: FolderChange[];
}

export interface SyncItemsRequest {
  mailbox: Mailbox;
  folderId: string;
  /** What the folder holds, as the hierarchy reported it (a source may need it to pick its call). */
  folderKind?: FolderKind;
  syncState?: string;
  /** Correlates the call with logs (client-request-id). */
  requestId: string;
  /** Aborted when the invocation is about to run out of time. */
  signal?: AbortSignal;
}

export interface SyncHierarchyRequest {
  mailbox: Mailbox;
  syncState?: string;
  requestId: string;
  signal?: AbortSignal;
}

/**
 * Throws MailSourceError (lib/core/errors.ts) for every failure, classified by `kind`.
 * One call = one server round trip; no retries inside (the engine owns retry policy), with one
 * exception: after an auth failure an adapter may re-read rotated credentials and try once more,
 * in the same call (a rotation must not park every mailbox that uses the credentials).
 */
export interface MailSource {
  syncItems(request: SyncItemsRequest): Promise<ItemPage>;
  syncHierarchy(request: SyncHierarchyRequest): Promise<FolderPage>;
  /**
   * Maps well-known folder names (`inbox`, `sentitems`, ...) to the folder ids the hierarchy
   * sync reports. Names the mailbox does not have, or the source does not know, are left out.
   */
  resolveWellKnownFolders(request: {
    mailbox: Mailbox;
    names: string[];
    requestId: string;
    signal?: AbortSignal;
  }): Promise<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------------
// Mailbox registry, shared back-off and per-mailbox concurrency slots

export interface MailboxPage {
  mailboxes: Mailbox[];
  /** Opaque; absent on the last page. */
  next?: string;
}

export interface MailboxRegistry {
  get(mailboxId: string): Promise<Mailbox | undefined>;
  put(mailbox: Mailbox): Promise<void>;
  remove(mailboxId: string): Promise<void>;
  list(options?: { limit?: number; next?: string }): Promise<MailboxPage>;
  /** Moves backoffUntil forward only (never shortens a back-off another worker set). */
  extendBackoff(mailboxId: string, until: number): Promise<void>;
  park(mailboxId: string, reason: string, now: number): Promise<void>;
  /** Enables a parked mailbox again, touching nothing else (a back-off set meanwhile stays). */
  unpark(mailboxId: string, now: number): Promise<void>;
  /**
   * Takes one of the mailbox's `max` slots (0..max-1) until `until`, or returns undefined when
   * all are held by live owners. Slots make the per-mailbox cap hold across all Lambdas.
   */
  acquireSlot(
    mailboxId: string,
    max: number,
    owner: string,
    until: number,
    now: number,
    /** A slot handed off under this name (see handOffSlot) is taken first. */
    claim?: string,
  ): Promise<number | undefined>;
  /**
   * Passes a held slot to the job that continues a chain (`to`, a claim name), so the chain's
   * next page does not queue behind other folders. The slot stays held, and counts against the
   * cap, until `until` or until `to` claims it. False if `owner` no longer holds it.
   */
  handOffSlot(mailboxId: string, slot: number, owner: string, to: string, until: number): Promise<boolean>;
  /** Releases the slot if `owner` still holds it; a no-op otherwise. */
  releaseSlot(mailboxId: string, slot: number, owner: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Cursors (SyncState, fencing version, lease)

export class StaleCursorError extends Error {
  override readonly name = 'StaleCursorError';
  constructor(
    readonly mailboxId: string,
    readonly folderId: string,
    readonly expectedVersion: number,
  ) {
    super(`cursor ${mailboxId}/${folderId} is no longer at version ${expectedVersion} or its lease was lost`);
  }
}

export interface CursorStore {
  get(mailboxId: string, folderId: string): Promise<Cursor | undefined>;
  /** All cursors of a mailbox (folders and hierarchy). */
  listByMailbox(mailboxId: string): Promise<Cursor[]>;
  /** Creates the cursor if it does not exist; returns false if it already did. */
  create(cursor: Cursor): Promise<boolean>;
  /**
   * Conditional write of the whole row. Succeeds only if the stored cursor is still at
   * `expected.version`; `next.version` must be greater (every write moves the version, so the
   * condition pins exactly the row the writer read, lease, SyncState and all). Afterwards the
   * stored row is exactly `next`: a field that `next` leaves out is absent, whatever was stored.
   * When `requireLeaseOwner` is given the stored lease must also belong to that owner.
   * Throws StaleCursorError when a condition fails; throws Error when next does not move forward.
   */
  replace(expected: Cursor, next: Cursor, requireLeaseOwner?: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Item mirror

export interface MirrorWrite {
  mailboxId: string;
  folderId: string;
  /** Lease fence of the page: rows with a higher pageVersion are never overwritten. */
  pageVersion: number;
  generation: number;
  now: number;
}

export interface ApplyResult {
  /** Rows whose content changed (each produced a stream record). */
  written: number;
  /** Writes skipped because nothing changed. */
  unchanged: number;
  /** Writes refused by the fence (a newer page already wrote the row). */
  fenced: number;
}

export interface ItemMirror {
  /**
   * Applies changes in order, idempotently: a create/update upserts, a readFlagChange sets isRead
   * (and changeKey), a delete writes a tombstone. Each write is conditional on
   * `attribute_not_exists OR pageVersion <= :pageVersion`; writes that change nothing are skipped.
   * Several changes of the same item in one page collapse to the last one before writing.
   */
  apply(write: MirrorWrite, changes: ItemChange[]): Promise<ApplyResult>;
  /**
   * Closes the folder at `write.pageVersion` and tombstones every live item (the folder was
   * deleted on the server). Once it returns, no `apply` with a `pageVersion` at or below the
   * closing one makes a row of the folder live, even one that started before (the closing and
   * each such write are atomic with respect to each other): a page that thaws late cannot leave a
   * phantom under a deleted folder. Returns the number of rows tombstoned.
   */
  tombstoneFolder(write: MirrorWrite): Promise<number>;
  /**
   * Ends a resync: closes the folder to pages at or below `write.pageVersion`, as tombstoneFolder
   * does, then tombstones live items whose generation is older than `write.generation`. A page
   * older than the resync that thaws after the sweep can then create no row the sweep would have
   * removed (the server never reports a Delete for an item the resync did not see).
   */
  sweep(write: MirrorWrite): Promise<number>;
  /** Live (not tombstoned) items of a folder: for verification and the CLI. */
  listLive(mailboxId: string, folderId: string): Promise<MirrorItem[]>;
}

// ---------------------------------------------------------------------------------------------
// Work queue

export type { SyncJob };

export interface Enqueue {
  job: SyncJob;
  /** 0..900 (SQS per-message delay). */
  delaySeconds?: number;
}

export interface WorkQueue {
  /** Sends in batches (10 per SendMessageBatch), in parallel; throws if any entry finally fails. */
  send(entries: Enqueue[]): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Time and randomness (injected so tests are deterministic)

export interface Clock {
  now(): number;
  /**
   * Waits (real time). Optional: without it the core never waits in-process (e.g. for a mailbox
   * slot) and re-enqueues instead, which keeps simulated clocks in tests simple.
   */
  sleep?(ms: number): Promise<void>;
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** A fresh unique id (job ids, lease owners). */
  id(): string;
}

export type { Cursor, Lease, Mailbox, MirrorItem };
