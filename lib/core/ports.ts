// The ports the use cases need. Adapters (lib/adapters/*) implement them; the core never imports
// an adapter, an AWS SDK or an HTTP client.

import type { SyncJob } from './jobs/registry.js';
import type { ItemChange } from './mail-source.js';
import type { Cursor, Lease, Mailbox, MirrorItem } from './model.js';

// ---------------------------------------------------------------------------------------------
// Mail source (its own module: the port a new protocol implements)

export * from './mail-source.js';

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
   * Takes one of the mailbox's `max` slots (0..max-1) for `owner` until `until`, or returns
   * undefined when all are held by live owners. Slots make the per-mailbox cap hold across all
   * Lambdas. A page takes its slot under the name of the job that is to follow it (a claim name),
   * so that job takes it over with one write and nobody else can.
   */
  acquireSlot(
    mailboxId: string,
    max: number,
    owner: string,
    until: number,
    now: number,
    /** A live slot held under this name (the caller's own claim name) is taken over first. */
    claim?: string,
  ): Promise<number | undefined>;
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
    super(
      `cursor ${mailboxId}/${folderId} is no longer at version ${expectedVersion}, its lease was lost, or it was stopped`,
    );
  }
}

export interface CursorStore {
  get(mailboxId: string, folderId: string): Promise<Cursor | undefined>;
  /** All cursors of a mailbox (folders and hierarchy). */
  listByMailbox(mailboxId: string): Promise<Cursor[]>;
  /** Creates the cursor if it does not exist; returns false if it already did. */
  create(cursor: Cursor): Promise<boolean>;
  /**
   * A page's write (cursor-write.ts pageWrite): the stored page fields become exactly `next`'s (a
   * page field `next` leaves out is absent afterwards, whatever was stored); the folder facts,
   * `factsRevision` and `syncRequestedAt` are not named and stay as stored. Succeeds only if the
   * stored row is at `expected.version` and has no stop (a legacy row whose status says gone or
   * excluded counts as stopped); `next.version` must be greater. When `requireLeaseOwner` is
   * given the stored lease must also belong to that owner.
   * Throws StaleCursorError when a condition fails; throws Error when next does not move forward
   * or carries a stop.
   */
  replace(expected: Cursor, next: Cursor, requireLeaseOwner?: string): Promise<void>;
  /**
   * A facts write (cursor-write.ts factsWrite): the stored folder facts become exactly `next`'s
   * and `factsRevision` becomes `next.factsRevision`, which must be greater than
   * `expected.factsRevision` (absent counts as 0). Page fields, the version included, are not
   * named. Succeeds only if the stored facts revision is `expected.factsRevision` (and, when
   * `requireLeaseOwner` is given, the stored lease belongs to that owner). Returns the stored
   * version after the write (a stop closes the folder above it). Throws StaleCursorError when a
   * condition fails or the row is missing.
   */
  writeFacts(expected: Cursor, next: Cursor, requireLeaseOwner?: string): Promise<{ version: number }>;
  /**
   * Lifts a stop (cursor-write.ts wholeRowWrite): the whole row becomes `next` (page fields and
   * facts; `syncRequestedAt` stays). Succeeds only if the stored row is stopped at
   * `expected.version` and `expected.factsRevision`; `next` has no stop and moves both forward.
   */
  resume(expected: Cursor, next: Cursor): Promise<void>;
  /**
   * Records that a sync was asked for (a push notification): sets `syncRequestedAt` and nothing
   * else, so no writer's condition fails because of it. Returns false when the row is missing.
   */
  requestSync(mailboxId: string, folderId: string, at: number): Promise<boolean>;
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
  /**
   * Calls `fire` once `ms` have passed on this clock (at least `ms` of `now()`); the function it
   * returns cancels it. A pending timer must not keep the process alive. The core's time limits
   * (a server call's budget) run on it, never on a timer of their own, so that a clock a test
   * moves by hand decides them as it decides `now()`. Optional: without it a server call has no
   * limit of its own, only the invocation's signal.
   */
  setTimer?(ms: number, fire: () => void): () => void;
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** A fresh unique id (job ids, lease owners). */
  id(): string;
}

export type { Cursor, Lease, Mailbox, MirrorItem };
