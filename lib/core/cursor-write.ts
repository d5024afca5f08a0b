// What a cursor write means, in one place for every store. A cursor row has two writers, each with
// its own attributes: the page holder writes the page's fields (SyncState, version, lease, status,
// counters, ...), the hierarchy writes the folder facts (name, parent, kind, well-known name, stop).
// Each write leaves its own attributes exactly as its writer's cursor has them and names none of
// the other's. Written as DynamoDB's UpdateItem would (fields to SET, fields to REMOVE), so that the
// DynamoDB adapter turns it into an UpdateExpression and the in-memory fake applies it to its row
// the same way: neither can be kinder than the other.
import { type Cursor, FOLDER_FACT_FIELDS, isPageField, OPTIONAL_CURSOR_FIELDS } from './model.js';

export interface CursorWrite {
  /** Every field the write sets (keys included). */
  readonly set: Readonly<Partial<Cursor>>;
  /** Every optional field of the writer's attributes that it leaves out: absent afterwards. */
  readonly remove: readonly (keyof Cursor)[];
}

/** A page's write: the stored page fields become exactly `next`'s; no folder fact is named. */
export function pageWrite(next: Cursor): CursorWrite {
  const set: Partial<Cursor> = {};
  for (const [field, value] of Object.entries(next)) {
    if (value !== undefined && isPageField(field)) (set as Record<string, unknown>)[field] = value;
  }
  const remove = OPTIONAL_CURSOR_FIELDS.filter((field) => isPageField(field) && next[field] === undefined);
  return { set, remove };
}

/**
 * A facts write: the stored folder facts become exactly `next`'s, with its `factsRevision`; no
 * page field is named (the version does not move).
 */
export function factsWrite(next: Cursor): CursorWrite {
  const set: Partial<Cursor> = { factsRevision: next.factsRevision };
  const remove: (keyof Cursor)[] = [];
  for (const field of FOLDER_FACT_FIELDS) {
    if (next[field] === undefined) remove.push(field);
    else (set as Record<string, unknown>)[field] = next[field];
  }
  return { set, remove };
}

/**
 * The write that lifts a stop (CursorStore.resume): the whole row becomes `next`, page fields and
 * facts alike. Only the hierarchy or an operator makes it, on a stopped row no page can write.
 */
export function wholeRowWrite(next: Cursor): CursorWrite {
  const set: Partial<Cursor> = {};
  for (const [field, value] of Object.entries(next)) {
    if (value !== undefined && field !== 'syncRequestedAt') (set as Record<string, unknown>)[field] = value;
  }
  const remove = OPTIONAL_CURSOR_FIELDS.filter(
    (field) => field !== 'syncRequestedAt' && next[field] === undefined,
  );
  return { set, remove };
}

/** The row after the write, as a store that merges (DynamoDB's UpdateItem) stores it. */
export function applyCursorWrite(stored: Cursor, write: CursorWrite): Cursor {
  const row: Record<string, unknown> = { ...stored };
  for (const field of write.remove) delete row[field];
  return { ...row, ...write.set } as Cursor;
}

/** The fields a page write names, as stored: for comparing what a page wrote with what is stored. */
export function pageFieldsOf(cursor: Cursor): Partial<Cursor> {
  return Object.fromEntries(
    Object.entries(cursor).filter(([field]) => isPageField(field)),
  ) as Partial<Cursor>;
}

/** The folder facts and their revision, as stored. */
export function factFieldsOf(cursor: Cursor): Partial<Cursor> {
  const facts: Record<string, unknown> = { factsRevision: cursor.factsRevision };
  for (const field of FOLDER_FACT_FIELDS) facts[field] = cursor[field];
  return facts as Partial<Cursor>;
}

/**
 * What every store refuses of a resume (CursorStore.resume): another row, a stop kept, or a
 * version or facts revision that does not move forward. Throws Error.
 */
export function assertResumable(expected: Cursor, next: Cursor): void {
  if (expected.mailboxId !== next.mailboxId || expected.folderId !== next.folderId)
    throw new Error(`resume() cannot move cursor ${expected.mailboxId}/${expected.folderId}`);
  if (
    next.stop !== undefined ||
    next.version <= expected.version ||
    (next.factsRevision ?? 0) <= (expected.factsRevision ?? 0)
  )
    throw new Error(
      `cursor ${next.mailboxId}/${next.folderId}: resume() lifts the stop and moves version and facts revision forward`,
    );
}
