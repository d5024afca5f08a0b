// Builders the store tests share (the contract suites and the adapter-only tests).
import type { Cursor } from '../../lib/core/model.js';
import type { ItemChange, MirrorWrite } from '../../lib/core/ports.js';

/** A folder cursor at version 1 with only its required fields, plus `fields`. */
export function testCursor(fields: Partial<Cursor> = {}): Cursor {
  return {
    mailboxId: 'a@example.com',
    folderId: 'AAMkAD/folder+1=',
    kind: 'folder',
    version: 1,
    generation: 0,
    status: 'idle',
    pages: 0,
    changesApplied: 0,
    updatedAt: 1000,
    ...fields,
  };
}

export const TEST_MAILBOX = 'a@example.com';
export const TEST_FOLDER = 'inbox';

/** A mirror write of the test folder by a page with this fence. */
export const mirrorWriteAt = (
  pageVersion: number,
  generation = 0,
  now = 1_000_000,
  folderId = TEST_FOLDER,
): MirrorWrite => ({ mailboxId: TEST_MAILBOX, folderId, pageVersion, generation, now });

export const createChange = (
  itemId: string,
  changeKey: string,
  item: Record<string, unknown> = {},
): ItemChange => ({
  kind: 'create',
  itemId,
  changeKey,
  itemType: 'Message',
  item: { subject: `s-${itemId}`, ...item },
});
