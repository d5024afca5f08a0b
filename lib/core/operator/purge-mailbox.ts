// Use case: erase a mailbox for good (GDPR article 17). Parked first, so no new chain starts and
// chains under way end at their next page; then the pages in flight are waited out (their cursor
// leases). Each folder is closed with its live items tombstoned, as a folder deleted on the server
// is (the change feed shows a delete for each, a MODIFY consumers already act on, and no page that
// thaws late can make a row live meanwhile), then every row of the folder is deleted (REMOVE
// records), then its cursor. The hierarchy cursor, every stored SyncState of the mailbox (orphans
// included) and last the registry row follow. Each step is idempotent and the registry row, which
// keeps the mailbox parked, goes last: running the purge again after an interruption finishes it,
// and a mailbox whose registry row is already gone (`mailbox remove`) is found by its cursors.
import { type Cursor, HIERARCHY_CURSOR_ID } from '../model.js';
import { leaseIsLive } from '../schedule/due.js';
import type { PurgeDeps } from './erasure-ports.js';

/** The parked reason while a purge runs; a mailbox parked so was interrupted mid-purge. */
export const PURGING_REASON = 'Purging';

/** A lease lasts the worker timeout (at most 900 s) plus 30 s: one that long ends within this. */
export const DEFAULT_LEASE_WAIT_MS = 16 * 60_000;
const DEFAULT_POLL_MS = 2_000;

/** Pages still hold leases after the wait: nothing was deleted, the mailbox stays parked. */
export class LeasesStillHeldError extends Error {
  override readonly name = 'LeasesStillHeldError';
  constructor(
    readonly mailboxId: string,
    readonly folderIds: readonly string[],
    /** When the last of those leases ends (epoch ms). */
    readonly until: number,
    readonly waitedMs: number,
  ) {
    super(
      `${folderIds.length} page(s) of ${mailboxId} still hold a lease after ${Math.round(waitedMs / 1000)} s ` +
        `(the last ends at ${new Date(until).toISOString()}); nothing was deleted and the mailbox stays ` +
        'parked: run the purge again to finish',
    );
  }
}

export interface PurgeRequest {
  mailboxId: string;
  /** Count what would go; change nothing (not even the parked state). */
  dryRun?: boolean;
  /** Longest wait for pages in flight to end (default DEFAULT_LEASE_WAIT_MS). */
  maxLeaseWaitMs?: number;
  /** Between two looks at the leases (default 2 s). */
  pollMs?: number;
  onProgress?: (event: PurgeProgress) => void;
}

export type PurgeProgress =
  | { kind: 'parked' }
  | { kind: 'waiting'; liveLeases: number; until: number; waitedMs: number }
  | {
      kind: 'folder';
      folderId: string;
      displayName?: string;
      /** 1-based, of `total`. */
      index: number;
      total: number;
      itemsTombstoned: number;
      rowsDeleted: number;
    }
  | { kind: 'cursors'; deleted: number }
  | { kind: 'states'; deleted: number }
  | { kind: 'registry' };

export interface FolderErasure {
  folderId: string;
  displayName?: string;
  /** Item rows (live and tombstoned) deleted, or that a dry run found. */
  rows: number;
}

export interface PurgeResult {
  mailboxId: string;
  dryRun: boolean;
  /** A registry row existed when the purge began. */
  registered: boolean;
  /** Nothing of the mailbox was stored: never registered, or purged already. */
  nothingStored: boolean;
  folders: FolderErasure[];
  itemRows: number;
  /** Live items tombstoned before their rows were deleted (0 in a dry run). */
  itemsTombstoned: number;
  /** Cursor rows, the hierarchy's included. */
  cursors: number;
  /** SyncStates stored apart from the cursor rows (the state bucket). */
  storedStates: number;
}

export async function purgeMailbox(deps: PurgeDeps, request: PurgeRequest): Promise<PurgeResult> {
  const { mailboxId } = request;
  const progress = request.onProgress ?? (() => {});
  const mailbox = await deps.registry.get(mailboxId);
  if (request.dryRun) return survey(deps, mailboxId, mailbox !== undefined);

  if (mailbox && !(mailbox.status === 'parked' && mailbox.parkedReason === PURGING_REASON)) {
    await deps.registry.park(mailboxId, PURGING_REASON, deps.clock.now());
    progress({ kind: 'parked' });
  }
  const cursors = await waitOutLeases(deps, request, progress);
  const folders = folderCursors(cursors);
  const result = emptyResult(mailboxId, false, mailbox !== undefined);
  for (const [i, cursor] of folders.entries()) {
    // Closed above every page's fence first: a page that thaws now cannot bring a row back.
    const itemsTombstoned = await deps.mirror.tombstoneFolder({
      mailboxId,
      folderId: cursor.folderId,
      pageVersion: cursor.version + 1,
      generation: cursor.generation,
      now: deps.clock.now(),
    });
    const rows = await deps.erasure.mirror.deleteFolderRows(mailboxId, cursor.folderId);
    // The cursor goes after its rows: until then a second run finds the folder through it.
    await deps.erasure.cursors.deleteCursor(mailboxId, cursor.folderId);
    result.folders.push(folderErasure(cursor, rows));
    result.itemRows += rows;
    result.itemsTombstoned += itemsTombstoned;
    progress({
      kind: 'folder',
      folderId: cursor.folderId,
      displayName: cursor.displayName,
      index: i + 1,
      total: folders.length,
      itemsTombstoned,
      rowsDeleted: rows,
    });
  }
  const others = cursors.filter((c) => !folders.includes(c));
  for (const cursor of others) await deps.erasure.cursors.deleteCursor(mailboxId, cursor.folderId);
  result.cursors = cursors.length;
  progress({ kind: 'cursors', deleted: cursors.length });

  const states = await deps.erasure.states.listStates(mailboxId);
  await deps.erasure.states.deleteStates(mailboxId, states);
  result.storedStates = states.length;
  progress({ kind: 'states', deleted: states.length });

  // Also removes the mailbox's slot rows, so it runs even when the registry row is gone.
  await deps.registry.remove(mailboxId);
  progress({ kind: 'registry' });
  result.nothingStored = !mailbox && cursors.length === 0 && states.length === 0;
  return result;
}

/** What a purge would delete, changing nothing. */
async function survey(deps: PurgeDeps, mailboxId: string, registered: boolean): Promise<PurgeResult> {
  const cursors = await deps.cursors.listByMailbox(mailboxId);
  const result = emptyResult(mailboxId, true, registered);
  for (const cursor of folderCursors(cursors)) {
    const rows = await deps.erasure.mirror.countFolderRows(mailboxId, cursor.folderId);
    result.folders.push(folderErasure(cursor, rows));
    result.itemRows += rows;
  }
  result.cursors = cursors.length;
  result.storedStates = (await deps.erasure.states.listStates(mailboxId)).length;
  result.nothingStored = !registered && cursors.length === 0 && result.storedStates === 0;
  return result;
}

/**
 * The mailbox's cursors once no page holds a lease on any of them. Parked, the mailbox starts no
 * new page, so leases only end; one still live after `maxLeaseWaitMs` stops the purge.
 */
async function waitOutLeases(
  deps: PurgeDeps,
  request: PurgeRequest,
  progress: (event: PurgeProgress) => void,
): Promise<Cursor[]> {
  const maxWaitMs = request.maxLeaseWaitMs ?? DEFAULT_LEASE_WAIT_MS;
  const started = deps.clock.now();
  for (;;) {
    const cursors = await deps.cursors.listByMailbox(request.mailboxId);
    const now = deps.clock.now();
    const live = cursors.filter((c) => leaseIsLive(c, now));
    if (live.length === 0) return cursors;
    const until = Math.max(...live.map((c) => c.lease!.until));
    const waitedMs = now - started;
    if (!deps.clock.sleep || waitedMs >= maxWaitMs) {
      throw new LeasesStillHeldError(
        request.mailboxId,
        live.map((c) => c.folderId),
        until,
        waitedMs,
      );
    }
    progress({ kind: 'waiting', liveLeases: live.length, until, waitedMs });
    await deps.clock.sleep(Math.min(request.pollMs ?? DEFAULT_POLL_MS, until - now, maxWaitMs - waitedMs));
  }
}

/** Folder cursors (not the hierarchy's), in a stable order so progress reads the same each run. */
function folderCursors(cursors: readonly Cursor[]): Cursor[] {
  return cursors
    .filter((c) => c.folderId !== HIERARCHY_CURSOR_ID)
    .sort((a, b) => a.folderId.localeCompare(b.folderId));
}

function folderErasure(cursor: Cursor, rows: number): FolderErasure {
  return {
    folderId: cursor.folderId,
    ...(cursor.displayName === undefined ? {} : { displayName: cursor.displayName }),
    rows,
  };
}

function emptyResult(mailboxId: string, dryRun: boolean, registered: boolean): PurgeResult {
  return {
    mailboxId,
    dryRun,
    registered,
    nothingStored: false,
    folders: [],
    itemRows: 0,
    itemsTombstoned: 0,
    cursors: 0,
    storedStates: 0,
  };
}
