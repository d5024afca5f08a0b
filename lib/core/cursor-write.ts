// What a cursor write means, in one place for every store: the stored row becomes exactly the new
// cursor. Written as DynamoDB's UpdateItem would (fields to SET, fields to REMOVE), so that the
// DynamoDB adapter turns it into an UpdateExpression and the in-memory fake applies it to its row
// the same way: neither can be kinder than the other.
import { type Cursor, OPTIONAL_CURSOR_FIELDS } from './model.js';

export interface CursorWrite {
  /** Every field the new cursor sets (keys included). */
  readonly set: Readonly<Partial<Cursor>>;
  /** Every optional field the new cursor leaves out: absent afterwards, whatever was stored. */
  readonly remove: readonly (keyof Cursor)[];
}

export function cursorWrite(next: Cursor): CursorWrite {
  const set: Partial<Cursor> = {};
  for (const [field, value] of Object.entries(next)) {
    if (value !== undefined) (set as Record<string, unknown>)[field] = value;
  }
  const remove = OPTIONAL_CURSOR_FIELDS.filter((field) => next[field] === undefined);
  return { set, remove };
}

/** The row after the write, as a store that merges (DynamoDB's UpdateItem) stores it. */
export function applyCursorWrite(stored: Cursor, write: CursorWrite): Cursor {
  const row: Record<string, unknown> = { ...stored };
  for (const field of write.remove) delete row[field];
  return { ...row, ...write.set } as Cursor;
}
