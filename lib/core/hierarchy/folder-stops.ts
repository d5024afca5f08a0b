// Stopping a folder (gone, excluded) and starting it again, without moving the version of a page
// in flight. The order is what keeps items safe (PROTOCOL.md "Stops"):
//   1. the stop, a facts write: from then on no page write lands (each is conditional on the row
//      having no stop), so the version it returns is the highest fence any page can hold;
//   2. the close, above that version: the mirror's closed marker refuses every item write of a
//      page at or below it that would make a row live, and the live rows are tombstoned;
//   3. the close recorded in the stop (`closedAtVersion`). A crash before it leaves the close
//      pending; the next hierarchy completion (or a resume) closes it.
// A resume lifts the stop and starts the page state over, above the close, in one write.
import type { Cursor, FolderFilter, FolderStop } from '../model.js';
import type { CursorStore, ItemMirror } from '../ports.js';
import { StaleCursorError } from '../ports.js';
import { selectedByFilter, updateFolderFacts } from './folder-cursors.js';

export interface StopDeps {
  cursors: CursorStore;
  mirror: ItemMirror;
}

export const EXCLUDED_BY_FILTER = 'ExcludedByFilter';

/**
 * Stops the folder (unless it is gone already, or stopped for the same reason) and closes it.
 * `holding`: only while this lease owner holds the row (a page that found the folder missing).
 * Returns the cursor as it stands, and the items tombstoned; undefined when the row is missing
 * or (with `holding`) the lease was lost.
 */
export async function stopFolder(
  deps: StopDeps,
  target: { mailboxId: string; folderId: string },
  stop: { reason: FolderStop['reason']; code: string },
  now: number,
  holding?: string,
): Promise<{ cursor: Cursor; tombstoned: number } | undefined> {
  const { mailboxId, folderId } = target;
  let lost = false;
  const result = await updateFolderFacts(
    deps.cursors,
    mailboxId,
    folderId,
    (c) => {
      if (holding !== undefined && c.lease?.owner !== holding) {
        lost = true;
        return undefined;
      }
      if (c.stop?.reason === 'gone' || c.stop?.reason === stop.reason) return undefined;
      // Excluded, now gone: closed already (or pending, closed below).
      const closed = c.stop?.closedAtVersion;
      return {
        ...c,
        stop: { ...stop, at: now, ...(closed !== undefined ? { closedAtVersion: closed } : {}) },
      };
    },
    holding,
  );
  if (!result || lost) return undefined;
  if (!result.cursor.stop || result.cursor.stop.closedAtVersion !== undefined)
    return { cursor: result.cursor, tombstoned: 0 };
  return closeStoppedFolder(deps, result.cursor, now);
}

/**
 * Closes a stopped folder above every version a page could hold (`stopped.version`, read or
 * written after the stop, is the highest: no page write lands on a stopped row), tombstoning its
 * items, then records the close in the stop.
 */
export async function closeStoppedFolder(
  deps: StopDeps,
  stopped: Cursor,
  now: number,
): Promise<{ cursor: Cursor; tombstoned: number }> {
  const closedAtVersion = stopped.version + 1;
  const tombstoned = await deps.mirror.tombstoneFolder({
    mailboxId: stopped.mailboxId,
    folderId: stopped.folderId,
    pageVersion: closedAtVersion,
    generation: stopped.generation,
    now,
  });
  const recorded = await updateFolderFacts(deps.cursors, stopped.mailboxId, stopped.folderId, (c) =>
    c.stop && c.stop.closedAtVersion === undefined
      ? { ...c, stop: { ...c.stop, closedAtVersion } }
      : undefined,
  );
  return { cursor: recorded?.cursor ?? stopped, tombstoned };
}

/**
 * Lifts the stop and starts the page state over from scratch, above the close (closing first
 * when the close is pending). `start` gives the fields of the new start (undefined: leave it
 * stopped). Returns the resumed cursor, or undefined when it stays stopped or is missing.
 */
export async function resumeFolder(
  deps: StopDeps,
  target: { mailboxId: string; folderId: string },
  start: (stopped: Cursor) => Partial<Cursor> | undefined,
  now: number,
): Promise<Cursor | undefined> {
  for (let tries = 0; tries < 10; tries++) {
    let stopped = await deps.cursors.get(target.mailboxId, target.folderId);
    if (!stopped?.stop) return stopped;
    const fields = start(stopped);
    if (!fields) return undefined;
    if (stopped.stop.closedAtVersion === undefined) {
      stopped = (await closeStoppedFolder(deps, stopped, now)).cursor;
      continue;
    }
    const next: Cursor = {
      ...stopped,
      syncState: undefined,
      resyncPending: undefined,
      lease: undefined,
      status: 'idle',
      doneJobId: undefined,
      nextJobId: undefined,
      lastError: undefined,
      emptyPages: undefined,
      statusReason: undefined,
      ...fields,
      stop: undefined,
      // The new chain's fences (its lease: version + 1) lie above the close.
      version: Math.max(stopped.version, stopped.stop.closedAtVersion) + 1,
      factsRevision: (stopped.factsRevision ?? 0) + 1,
      updatedAt: now,
    };
    try {
      await deps.cursors.resume(stopped, next);
      return next;
    } catch (error) {
      if (!(error instanceof StaleCursorError)) throw error;
    }
  }
  throw new StaleCursorError(target.mailboxId, target.folderId, -1);
}

/** The facts a hierarchy change reported for a folder. */
export type ReportedFacts = Pick<Cursor, 'displayName' | 'folderKind' | 'parentFolderId' | 'wellKnownName'>;

/**
 * Brings a folder in line with what the server reported (`reported`, when a change did) and with
 * the filter: the facts written, the folder stopped when the filter leaves it out, started again
 * when the filter selects it again, or brought back from gone when the server reports it after
 * all (a resync of a new generation, above the close). Gone is final otherwise.
 */
export async function reconcileFolder(
  deps: StopDeps,
  target: { mailboxId: string; folderId: string },
  filter: FolderFilter | undefined,
  now: number,
  reported?: Partial<ReportedFacts>,
): Promise<Cursor | undefined> {
  const facts = await updateFolderFacts(deps.cursors, target.mailboxId, target.folderId, (c) => {
    const merged: Cursor = { ...c };
    for (const [field, value] of Object.entries(reported ?? {}))
      if (value !== undefined) (merged as unknown as Record<string, unknown>)[field] = value;
    const selected = selectedByFilter(merged, filter);
    if (!selected && (c.stop === undefined || (reported && c.stop.reason === 'gone')))
      merged.stop = { reason: 'excluded', code: EXCLUDED_BY_FILTER, at: now, ...closedOf(c.stop) };
    const same = JSON.stringify(factsIn(merged)) === JSON.stringify(factsIn(c));
    return same ? undefined : merged;
  });
  if (!facts) return undefined;
  let cursor = facts.cursor;
  if (cursor.stop && cursor.stop.closedAtVersion === undefined)
    cursor = (await closeStoppedFolder(deps, cursor, now)).cursor;
  if (!cursor.stop || !selectedByFilter(cursor, filter)) return cursor;
  if (cursor.stop.reason === 'gone' && !reported) return cursor;
  const revive = cursor.stop.reason === 'gone';
  // Back from gone: a resync of a new generation (its sweep ends it); included again: from scratch.
  return resumeFolder(
    deps,
    target,
    (c) => {
      if (!c.stop || !selectedByFilter(c, filter)) return undefined;
      if (c.stop.reason === 'gone' && !revive) return undefined;
      return c.stop.reason === 'gone' ? { generation: c.generation + 1, resyncPending: true } : {};
    },
    now,
  );
}

const closedOf = (stop: FolderStop | undefined) =>
  stop?.closedAtVersion !== undefined ? { closedAtVersion: stop.closedAtVersion } : {};

const factsIn = (c: Cursor) => [c.displayName, c.folderKind, c.parentFolderId, c.wellKnownName, c.stop];
