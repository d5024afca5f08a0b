// Writes to folder cursors by someone other than their lease holder (the hierarchy sync). Each
// write bumps the version and keeps any lease, so a page in flight notices (its conditional write
// fails), re-reads and rebuilds on top (see commit in leased-page.ts) instead of overwriting.

import type { Cursor, CursorStatus, FolderFilter } from '../model.js';
import { type CursorStore, type ItemMirror, StaleCursorError } from '../ports.js';
import { selectsFolder } from './folder-filter.js';

/** Returns the written cursor, or undefined when the mutation chose not to write (or the row is gone). */
export async function updateFolderCursor(
  cursors: CursorStore,
  mailboxId: string,
  folderId: string,
  mutate: (current: Cursor) => Promise<Cursor | undefined> | Cursor | undefined,
): Promise<Cursor | undefined> {
  for (let tries = 0; tries < 10; tries++) {
    const current = await cursors.get(mailboxId, folderId);
    if (!current) return undefined;
    const mutated = await mutate(current);
    if (!mutated) return undefined;
    const next = { ...mutated, version: current.version + 1 };
    try {
      await cursors.replace(current, next);
      return next;
    } catch (error) {
      if (!(error instanceof StaleCursorError)) throw error;
    }
  }
  throw new StaleCursorError(mailboxId, folderId, -1);
}

/** The status a folder cursor should have under the filter. Gone is final. */
export function statusUnderFilter(cursor: Cursor, filter: FolderFilter | undefined): CursorStatus {
  if (cursor.status === 'gone') return 'gone';
  const selected = selectsFolder(filter, {
    folderKind: cursor.folderKind,
    wellKnownName: cursor.wellKnownName,
  });
  if (!selected) return 'excluded';
  return cursor.status === 'excluded' ? 'idle' : cursor.status;
}

export function newFolderCursor(
  mailboxId: string,
  folderId: string,
  now: number,
  fields: Partial<Cursor> = {},
): Cursor {
  return {
    mailboxId,
    folderId,
    kind: 'folder',
    version: 0,
    generation: 0,
    status: 'idle',
    pages: 0,
    changesApplied: 0,
    updatedAt: now,
    ...fields,
  };
}

export function newHierarchyCursor(mailboxId: string, folderId: string, now: number): Cursor {
  return { ...newFolderCursor(mailboxId, folderId, now), kind: 'hierarchy' };
}

/**
 * The cursor with a new status under the filter. A folder the filter now excludes loses its
 * mirrored items (tombstoned, and closed to the pages before: a page in flight cannot bring them
 * back) and its SyncState, so that including it again syncs it from scratch.
 */
export async function withFilterStatus(
  mirror: ItemMirror,
  cursor: Cursor,
  status: CursorStatus,
  now: number,
): Promise<Cursor> {
  if (cursor.status === 'excluded' && status !== 'excluded')
    return { ...cursor, status, statusReason: undefined, updatedAt: now };
  if (status !== 'excluded' || cursor.status === 'excluded') return { ...cursor, status, updatedAt: now };
  await closeFolderAtNextVersion(mirror, cursor, now);
  return {
    ...cursor,
    status,
    statusReason: 'ExcludedByFilter',
    nextJobId: undefined,
    syncState: undefined,
    resyncPending: undefined,
    emptyPages: undefined,
    updatedAt: now,
  };
}

/**
 * Closes the folder in the mirror and tombstones its items at the version the cursor write about
 * to follow will have: no page still in flight (a lower fence) can write after it, and a crash
 * before that write repeats it.
 */
export function closeFolderAtNextVersion(mirror: ItemMirror, cursor: Cursor, now: number): Promise<number> {
  return mirror.tombstoneFolder({
    mailboxId: cursor.mailboxId,
    folderId: cursor.folderId,
    pageVersion: cursor.version + 1,
    generation: cursor.generation,
    now,
  });
}
