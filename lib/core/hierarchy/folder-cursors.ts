// Writes to folder cursors by someone other than their lease holder. The hierarchy writes a
// folder's facts (name, parent, kind, well-known name, stop) with facts writes, which name no
// page field and leave the version alone: a page in flight never notices them, except a stop,
// which fails its next write (cursor-lease.ts). Operators that restart a folder's page state
// (reset, a change of mail source) write page fields with a version bump, like a page would.

import type { Cursor, FolderFilter } from '../model.js';
import { type CursorStore, StaleCursorError } from '../ports.js';
import { selectsFolder } from './folder-filter.js';

/** Attempts of a read-modify-write before giving up: each failure means another writer won. */
const WRITE_ATTEMPTS = 10;

/**
 * Writes the page fields of a cursor (version + 1, conditional on the version read; refused on a
 * stopped row, so `mutate` returns undefined for one). Returns the written cursor, or undefined
 * when the mutation chose not to write (or the row is gone).
 */
export async function updateFolderCursor(
  cursors: CursorStore,
  mailboxId: string,
  folderId: string,
  mutate: (current: Cursor) => Promise<Cursor | undefined> | Cursor | undefined,
): Promise<Cursor | undefined> {
  for (let tries = 0; tries < WRITE_ATTEMPTS; tries++) {
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

/**
 * Writes the folder facts of a cursor, conditional on the facts revision read (and, with
 * `requireLeaseOwner`, on that lease). `mutate` returns the cursor with the facts it wants, or
 * undefined to leave the row as it is. Returns the cursor as read or written (`written`), with
 * the version stored after the write; undefined when the row is missing.
 */
export async function updateFolderFacts(
  cursors: CursorStore,
  mailboxId: string,
  folderId: string,
  mutate: (current: Cursor) => Cursor | undefined,
  requireLeaseOwner?: string,
): Promise<{ cursor: Cursor; written: boolean } | undefined> {
  for (let tries = 0; tries < WRITE_ATTEMPTS; tries++) {
    const current = await cursors.get(mailboxId, folderId);
    if (!current) return undefined;
    const mutated = mutate(current);
    if (!mutated) return { cursor: current, written: false };
    const next = { ...mutated, factsRevision: (current.factsRevision ?? 0) + 1 };
    try {
      const { version } = await cursors.writeFacts(current, next, requireLeaseOwner);
      return { cursor: { ...current, ...factsOf(next), version }, written: true };
    } catch (error) {
      if (!(error instanceof StaleCursorError)) throw error;
    }
  }
  throw new StaleCursorError(mailboxId, folderId, -1);
}

/** The facts of `cursor` (undefined ones included, so that spreading them removes them). */
function factsOf(cursor: Cursor): Partial<Cursor> {
  return {
    displayName: cursor.displayName,
    folderKind: cursor.folderKind,
    wellKnownName: cursor.wellKnownName,
    parentFolderId: cursor.parentFolderId,
    stop: cursor.stop,
    factsRevision: cursor.factsRevision,
  };
}

/** Whether the filter selects the folder, by its facts. */
export function selectedByFilter(cursor: Cursor, filter: FolderFilter | undefined): boolean {
  return selectsFolder(filter, { folderKind: cursor.folderKind, wellKnownName: cursor.wellKnownName });
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
