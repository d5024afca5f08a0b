// The erasure ports (lib/core/operator/erasure-ports.ts) as `mailbox purge` relies on them, run over
// the in-memory fakes and the DynamoDB and S3 adapters: each eraser is checked through the port
// it erases from (rows written by ItemMirror.apply, cursors by CursorStore.create, states by the
// spill's put), so a fake cannot delete more kindly than the adapter.
import { describe, expect, it } from 'vitest';
import type { Cursor } from '../../lib/core/model.js';
import {
  type CursorEraser,
  ForeignStateNameError,
  type MirrorEraser,
  type StoredStateEraser,
} from '../../lib/core/operator/erasure-ports.js';
import type { CursorStore, ItemMirror } from '../../lib/core/ports.js';
import {
  createChange,
  mirrorWriteAt,
  TEST_FOLDER,
  TEST_MAILBOX,
  testCursor,
} from '../support/store-fixtures.js';

const OTHER_FOLDER = 'archive';
const OTHER_MAILBOX = 'a@example.com.au';

const items = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => createChange(`${prefix}${i}`, 'k1'));

export function mirrorEraserContract(
  name: string,
  make: () => Promise<{ mirror: ItemMirror; eraser: MirrorEraser }>,
): void {
  describe(`MirrorEraser contract: ${name}`, () => {
    /** 60 items in the test folder (more than a delete batch), 2 of them deleted, then closed. */
    async function filled() {
      const { mirror, eraser } = await make();
      await mirror.apply(mirrorWriteAt(1), items('i', 60));
      await mirror.apply(mirrorWriteAt(2), [
        { kind: 'delete', itemId: 'i0' },
        { kind: 'delete', itemId: 'i1' },
      ]);
      await mirror.apply(mirrorWriteAt(1, 0, 1_000_000, OTHER_FOLDER), items('o', 3));
      await mirror.apply({ ...mirrorWriteAt(1), mailboxId: OTHER_MAILBOX }, items('m', 2));
      return { mirror, eraser };
    }

    it('counts live and tombstoned rows of a folder, not its closed marker', async () => {
      const { mirror, eraser } = await filled();
      expect(await eraser.countFolderRows(TEST_MAILBOX, TEST_FOLDER)).toBe(60);
      expect(await mirror.tombstoneFolder(mirrorWriteAt(3))).toBe(58);
      expect(await eraser.countFolderRows(TEST_MAILBOX, TEST_FOLDER)).toBe(60);
      expect(await eraser.countFolderRows(TEST_MAILBOX, 'no-such-folder')).toBe(0);
    });

    it('deletes every row of the folder and nothing of another folder or mailbox', async () => {
      const { mirror, eraser } = await filled();
      await mirror.tombstoneFolder(mirrorWriteAt(3));
      expect(await eraser.deleteFolderRows(TEST_MAILBOX, TEST_FOLDER)).toBe(60);
      expect(await eraser.countFolderRows(TEST_MAILBOX, TEST_FOLDER)).toBe(0);
      expect(await eraser.deleteFolderRows(TEST_MAILBOX, TEST_FOLDER)).toBe(0);
      expect(await eraser.countFolderRows(TEST_MAILBOX, OTHER_FOLDER)).toBe(3);
      expect(await eraser.countFolderRows(OTHER_MAILBOX, TEST_FOLDER)).toBe(2);
      expect((await mirror.listLive(OTHER_MAILBOX, TEST_FOLDER)).map((i) => i.itemId).sort()).toEqual([
        'm0',
        'm1',
      ]);
    });

    it('deletes the closed marker too: the folder is open again, as if never synced', async () => {
      const { mirror, eraser } = await filled();
      await mirror.tombstoneFolder(mirrorWriteAt(9));
      expect(await mirror.apply(mirrorWriteAt(1), items('n', 1))).toMatchObject({ written: 0, fenced: 1 });
      await eraser.deleteFolderRows(TEST_MAILBOX, TEST_FOLDER);
      // A mailbox registered again starts its cursors over: its first page must write.
      expect(await mirror.apply(mirrorWriteAt(1), items('n', 1))).toMatchObject({ written: 1, fenced: 0 });
      expect((await mirror.listLive(TEST_MAILBOX, TEST_FOLDER)).map((i) => i.itemId)).toEqual(['n0']);
    });
  });
}

export function cursorEraserContract(
  name: string,
  make: () => Promise<{ cursors: CursorStore; eraser: CursorEraser }>,
): void {
  describe(`CursorEraser contract: ${name}`, () => {
    it('deletes one cursor, a missing one is a no-op, and the cursor can be created again', async () => {
      const { cursors, eraser } = await make();
      const inbox: Cursor = testCursor({ folderId: 'inbox', syncState: 'S'.repeat(64) });
      const archive: Cursor = testCursor({ folderId: 'archive' });
      const other: Cursor = testCursor({ mailboxId: OTHER_MAILBOX, folderId: 'inbox' });
      for (const c of [inbox, archive, other]) expect(await cursors.create(c)).toBe(true);

      await eraser.deleteCursor(TEST_MAILBOX, 'inbox');
      expect(await cursors.get(TEST_MAILBOX, 'inbox')).toBeUndefined();
      expect((await cursors.listByMailbox(TEST_MAILBOX)).map((c) => c.folderId)).toEqual(['archive']);
      expect(await cursors.get(OTHER_MAILBOX, 'inbox')).toEqual(other);
      await eraser.deleteCursor(TEST_MAILBOX, 'inbox');
      await eraser.deleteCursor('nobody@example.com', 'inbox');
      expect(await cursors.create(inbox)).toBe(true);
      expect(await cursors.get(TEST_MAILBOX, 'inbox')).toEqual(inbox);
    });
  });
}

export interface StoredStates {
  eraser: StoredStateEraser;
  /** Stores a state as the cursor store's spill does. */
  put(mailboxId: string, folderId: string, version: number, state: string): Promise<void>;
}

export function storedStatesContract(name: string, make: () => Promise<StoredStates>): void {
  describe(`StoredStateEraser contract: ${name}`, () => {
    it("lists a mailbox's states and no other mailbox's, even one whose address extends it", async () => {
      const { eraser, put } = await make();
      await put(TEST_MAILBOX, 'AAMkAD/folder+1=', 3, 'a');
      await put(TEST_MAILBOX, '#hierarchy', 7, 'b');
      await put(TEST_MAILBOX, 'AAMkAD/folder+1=', 4, 'c');
      await put(OTHER_MAILBOX, 'AAMkAD/folder+1=', 3, 'd');
      const names = await eraser.listStates(TEST_MAILBOX);
      expect(names).toHaveLength(3);
      expect([...names].sort()).toEqual(names);
      expect(await eraser.listStates(OTHER_MAILBOX)).toHaveLength(1);
      expect(await eraser.listStates('nobody@example.com')).toEqual([]);
    });

    it('deletes the named states, ignores those gone, and refuses another mailbox’s', async () => {
      const { eraser, put } = await make();
      await put(TEST_MAILBOX, 'inbox', 1, 'a');
      await put(TEST_MAILBOX, 'archive', 1, 'b');
      await put(OTHER_MAILBOX, 'inbox', 1, 'c');
      const [first, second] = await eraser.listStates(TEST_MAILBOX);
      const [foreign] = await eraser.listStates(OTHER_MAILBOX);

      await expect(eraser.deleteStates(TEST_MAILBOX, [first!, foreign!])).rejects.toBeInstanceOf(
        ForeignStateNameError,
      );
      expect(await eraser.listStates(TEST_MAILBOX)).toHaveLength(2);

      await eraser.deleteStates(TEST_MAILBOX, [first!]);
      expect(await eraser.listStates(TEST_MAILBOX)).toEqual([second]);
      await eraser.deleteStates(TEST_MAILBOX, [first!, second!]);
      expect(await eraser.listStates(TEST_MAILBOX)).toEqual([]);
      expect(await eraser.listStates(OTHER_MAILBOX)).toEqual([foreign]);
      await eraser.deleteStates(TEST_MAILBOX, []);
    });
  });
}
