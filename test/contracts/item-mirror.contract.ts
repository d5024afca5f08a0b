// The ItemMirror contract (lib/core/ports.ts), run over every implementation: the in-memory fake
// the core tests use and the DynamoDB adapter in both write modes. Only the port is used (apply's
// ApplyResult and listLive): a fake that passes this suite can never be kinder than the adapter.
import { describe, expect, it } from 'vitest';
import type { MirrorItem } from '../../lib/core/model.js';
import type { ItemChange, ItemMirror } from '../../lib/core/ports.js';
import { createChange, mirrorWriteAt, TEST_FOLDER, TEST_MAILBOX } from '../support/store-fixtures.js';

export interface ItemMirrorContractOptions {
  /** Changes in the full-page test (default 512, a full EWS page). */
  fullPageSize?: number;
}

const MAILBOX = TEST_MAILBOX;
const FOLDER = TEST_FOLDER;
const at = mirrorWriteAt;
const create = createChange;

const update = (itemId: string, changeKey: string, item: Record<string, unknown> = {}): ItemChange => ({
  kind: 'update',
  itemId,
  changeKey,
  itemType: 'Message',
  item: { subject: `s-${itemId}`, ...item },
});

const remove = (itemId: string): ItemChange => ({ kind: 'delete', itemId });

const readFlag = (itemId: string, isRead: boolean, changeKey?: string): ItemChange => ({
  kind: 'readFlagChange',
  itemId,
  isRead,
  ...(changeKey ? { changeKey } : {}),
});

/** Live items of a folder by item id (the port promises no order). */
async function live(m: ItemMirror, folderId = FOLDER): Promise<MirrorItem[]> {
  return (await m.listLive(MAILBOX, folderId)).sort((a, b) => (a.itemId < b.itemId ? -1 : 1));
}

const liveIds = async (m: ItemMirror, folderId = FOLDER) => (await live(m, folderId)).map((i) => i.itemId);

export function itemMirrorContract(
  name: string,
  make: () => Promise<ItemMirror>,
  options: ItemMirrorContractOptions = {},
): void {
  describe(`ItemMirror contract: ${name}`, () => {
    describe('apply, sweep and listLive', () => {
      it('writes, skips unchanged rewrites, and writes real changes', async () => {
        const m = await make();
        expect(await m.apply(at(1), [create('i1', 'k1', { isRead: false }), create('i2', 'k1')])).toEqual({
          written: 2,
          unchanged: 0,
          fenced: 0,
        });
        expect(await m.apply(at(2), [create('i1', 'k1', { isRead: false }), create('i2', 'k1')])).toEqual({
          written: 0,
          unchanged: 2,
          fenced: 0,
        });
        expect(await m.apply(at(3), [update('i1', 'k2')])).toEqual({ written: 1, unchanged: 0, fenced: 0 });
        const [i1, i2] = await live(m);
        expect(i1).toMatchObject({
          mailboxId: MAILBOX,
          folderId: FOLDER,
          itemId: 'i1',
          changeKey: 'k2',
          itemType: 'Message',
          isRead: false,
          props: { subject: 's-i1' },
          pageVersion: 3,
          generation: 0,
          deleted: false,
          updatedAt: 1_000_000,
        });
        expect(i2).toMatchObject({
          itemId: 'i2',
          changeKey: 'k1',
          pageVersion: 1,
          props: { subject: 's-i2' },
        });
      });

      it('skips a rewrite whose properties only come in another key order', async () => {
        const m = await make();
        const item = { subject: 's', size: 1, from: { name: 'n', address: 'a' } };
        const reordered = { from: { address: 'a', name: 'n' }, size: 1, subject: 's' };
        expect(await m.apply(at(1), [create('i1', 'k1', item)])).toMatchObject({ written: 1 });
        expect(await m.apply(at(2), [create('i1', 'k1', reordered)])).toEqual({
          written: 0,
          unchanged: 1,
          fenced: 0,
        });
      });

      it('collapses several changes of one item in a page to the last one', async () => {
        const m = await make();
        expect(
          await m.apply(at(1), [
            create('i1', 'k1'),
            update('i1', 'k2', { subject: 'last' }),
            create('i2', 'k1'),
          ]),
        ).toEqual({ written: 2, unchanged: 0, fenced: 0 });
        expect(
          await m.apply(at(2), [create('i3', 'k1'), remove('i3'), update('i1', 'k3'), remove('i1')]),
        ).toEqual({
          written: 2,
          unchanged: 0,
          fenced: 0,
        });
        expect(await live(m)).toEqual([expect.objectContaining({ itemId: 'i2', changeKey: 'k1' })]);
      });

      it('refuses writes from an older page (fence), and never resurrects a tombstone', async () => {
        const m = await make();
        await m.apply(at(5), [create('i1', 'k5')]);
        expect(await m.apply(at(4), [create('i1', 'k4')])).toEqual({ written: 0, unchanged: 0, fenced: 1 });
        expect(await live(m)).toEqual([
          expect.objectContaining({ itemId: 'i1', changeKey: 'k5', pageVersion: 5 }),
        ]);

        expect(await m.apply(at(6), [remove('i1')])).toEqual({ written: 1, unchanged: 0, fenced: 0 });
        expect(await live(m)).toEqual([]);
        expect(await m.apply(at(5), [create('i1', 'k5')])).toEqual({ written: 0, unchanged: 0, fenced: 1 });
        expect(await m.apply(at(5), [update('i1', 'k5')])).toEqual({ written: 0, unchanged: 0, fenced: 1 });
        expect(await m.apply(at(6), [remove('i1')])).toEqual({ written: 0, unchanged: 1, fenced: 0 });
        expect(await m.apply(at(7), [readFlag('i1', true)])).toEqual({ written: 0, unchanged: 1, fenced: 0 });
        expect(await live(m)).toEqual([]);

        // A delete of an item never seen still fences off a late create.
        expect(await m.apply(at(8), [remove('ghost')])).toEqual({ written: 1, unchanged: 0, fenced: 0 });
        expect(await m.apply(at(7), [create('ghost', 'k7')])).toEqual({
          written: 0,
          unchanged: 0,
          fenced: 1,
        });
        expect(await live(m)).toEqual([]);

        // A newer page may create the item again.
        expect(await m.apply(at(9), [create('i1', 'k9')])).toEqual({ written: 1, unchanged: 0, fenced: 0 });
        expect(await liveIds(m)).toEqual(['i1']);
      });

      it('an item created again after its tombstone starts afresh: nothing of the old one (its read flag) survives', async () => {
        const m = await make();
        // Tombstoned by a delete, by a sweep and by a close; each created again by a newer page
        // that does not carry the read flag.
        await m.apply(at(1), [create('deleted', 'k1', { isRead: true, size: 7 })]);
        await m.apply(at(2), [remove('deleted')]);
        await m.apply(at(3), [create('deleted', 'k3')]);
        await m.apply(at(1, 0, 1_000_000, 'swept'), [create('swept', 'k1', { isRead: true })]);
        await m.sweep(at(2, 1, 1_000_000, 'swept'));
        await m.apply(at(3, 1, 1_000_000, 'swept'), [create('swept', 'k3')]);
        await m.apply(at(1, 0, 1_000_000, 'closed'), [create('closed', 'k1', { isRead: true })]);
        await m.tombstoneFolder(at(2, 0, 1_000_000, 'closed'));
        await m.apply(at(3, 0, 1_000_000, 'closed'), [create('closed', 'k3')]);
        for (const folderId of [FOLDER, 'swept', 'closed']) {
          const rows = await live(m, folderId);
          expect(rows).toHaveLength(1);
          expect(rows[0]).toMatchObject({
            changeKey: 'k3',
            props: { subject: `s-${rows[0]?.itemId}` },
            pageVersion: 3,
          });
          expect(rows[0]?.isRead, folderId).toBeUndefined();
        }
      });

      it('a fence decided on a stale read still loses to the newer row (conditional write)', async () => {
        const m = await make();
        // Two pages race on one item: whatever the interleaving, the newer page's row survives.
        await Promise.all([m.apply(at(2), [create('i1', 'old')]), m.apply(at(3), [create('i1', 'new')])]);
        await Promise.all([m.apply(at(5), [create('i2', 'new')]), m.apply(at(4), [create('i2', 'old')])]);
        expect((await live(m)).map((i) => [i.itemId, i.changeKey, i.pageVersion])).toEqual([
          ['i1', 'new', 3],
          ['i2', 'new', 5],
        ]);
      });

      it('applies read flags without losing properties, and folds them into a create of the same page', async () => {
        const m = await make();
        await m.apply(at(1), [create('i1', 'k1', { isRead: false })]);
        expect(await m.apply(at(2), [readFlag('i1', true, 'k2')])).toEqual({
          written: 1,
          unchanged: 0,
          fenced: 0,
        });
        expect(await m.apply(at(3), [readFlag('nope', true)])).toEqual({
          written: 0,
          unchanged: 1,
          fenced: 0,
        });
        expect(await m.apply(at(3), [readFlag('i1', true, 'k2')])).toEqual({
          written: 0,
          unchanged: 1,
          fenced: 0,
        });
        expect(await m.apply(at(1), [readFlag('i1', false)])).toEqual({
          written: 0,
          unchanged: 0,
          fenced: 1,
        });
        expect(await m.apply(at(3), [create('i2', 'k1', { isRead: false }), readFlag('i2', true)])).toEqual({
          written: 1,
          unchanged: 0,
          fenced: 0,
        });
        // An update without a read flag keeps the one known.
        expect(await m.apply(at(4), [update('i2', 'k4')])).toEqual({ written: 1, unchanged: 0, fenced: 0 });
        expect(
          (await live(m)).map(({ itemId, changeKey, isRead, props }) => ({
            itemId,
            changeKey,
            isRead,
            props,
          })),
        ).toEqual([
          { itemId: 'i1', changeKey: 'k2', isRead: true, props: { subject: 's-i1' } },
          { itemId: 'i2', changeKey: 'k4', isRead: true, props: { subject: 's-i2' } },
        ]);
      });

      it('resync: a new generation re-stamps unchanged items and the sweep removes the rest', async () => {
        const m = await make();
        await m.apply(
          at(1, 0),
          ['a', 'b', 'c', 'd'].map((id) => create(id, 'k1')),
        );
        // The resync re-sends a and b unchanged: a generation change alone is a write.
        expect(await m.apply(at(4, 1), [create('a', 'k1'), create('b', 'k1')])).toEqual({
          written: 2,
          unchanged: 0,
          fenced: 0,
        });
        expect(await m.sweep(at(4, 1))).toBe(2);
        expect(await liveIds(m)).toEqual(['a', 'b']);
        expect((await live(m)).map((i) => i.generation)).toEqual([1, 1]);
        expect(await m.sweep(at(4, 1))).toBe(0);

        expect(await m.tombstoneFolder(at(5, 1))).toBe(2);
        expect(await live(m)).toEqual([]);
        expect(await m.tombstoneFolder(at(5, 1))).toBe(0);
      });

      it('sweeps and closes only rows at or below the fence, and only of the folder', async () => {
        const m = await make();
        await m.apply(at(1, 0), [create('old', 'k1'), create('other', 'k1')]);
        await m.apply(at(1, 0, 1_000_000, 'elsewhere'), [create('x', 'k1')]);
        // A newer page of the old generation (a page that got ahead of the resync): not swept by an
        // older fence.
        await m.apply(at(6, 0), [create('newer', 'k6')]);
        expect(await m.sweep(at(4, 1))).toBe(2);
        expect(await liveIds(m)).toEqual(['newer']);
        expect(await m.tombstoneFolder(at(5, 1))).toBe(0);
        expect(await liveIds(m)).toEqual(['newer']);
        expect(await liveIds(m, 'elsewhere')).toEqual(['x']);
      });

      const pageSize = options.fullPageSize ?? 512;
      it(`applies a full ${pageSize}-change page, and skips it all when re-applied`, async () => {
        const m = await make();
        const changes = Array.from({ length: pageSize }, (_, n) =>
          create(`item-${n}`, 'k1', { size: n, tags: ['x'], from: { name: 'n', address: 'a' } }),
        );
        expect(await m.apply(at(1), changes)).toEqual({ written: pageSize, unchanged: 0, fenced: 0 });
        expect(await m.apply(at(2), changes)).toEqual({ written: 0, unchanged: pageSize, fenced: 0 });
        const rows = await live(m);
        expect(rows).toHaveLength(pageSize);
        expect(rows.find((r) => r.itemId === 'item-7')).toMatchObject({
          pageVersion: 1,
          props: { subject: 's-item-7', size: 7, tags: ['x'], from: { name: 'n', address: 'a' } },
        });
      });
    });

    describe('a closed folder (tombstoneFolder)', () => {
      it('refuses to make an item live at or below the closing version, never-seen or tombstoned, and accepts it above', async () => {
        const m = await make();
        await m.apply(at(1), [create('live', 'k1'), create('dead', 'k1')]);
        await m.apply(at(2), [remove('dead')]);
        expect(await m.tombstoneFolder(at(3))).toBe(1);
        expect(await live(m)).toEqual([]);

        for (const version of [3, 2]) {
          expect(await m.apply(at(version), [create('never-seen', 'k')])).toEqual({
            written: 0,
            unchanged: 0,
            fenced: 1,
          });
          expect(await m.apply(at(version), [create('dead', 'k')])).toEqual({
            written: 0,
            unchanged: 0,
            fenced: 1,
          });
        }
        expect(await m.apply(at(3), [create('live', 'k'), create('a', 'k'), create('b', 'k')])).toEqual({
          written: 0,
          unchanged: 0,
          fenced: 3,
        });
        expect(await live(m)).toEqual([]);

        // Deletes still write their tombstones (they fence later pages off, and make nothing live).
        expect(await m.apply(at(3), [remove('gone-too')])).toEqual({ written: 1, unchanged: 0, fenced: 0 });

        expect(
          await m.apply(at(4), [create('never-seen', 'k4'), create('dead', 'k4'), create('live', 'k4')]),
        ).toEqual({ written: 3, unchanged: 0, fenced: 0 });
        expect(await liveIds(m)).toEqual(['dead', 'live', 'never-seen']);
      });

      it('fences updates and read flags of the rows it tombstoned', async () => {
        const m = await make();
        await m.apply(at(1), [create('i1', 'k1', { isRead: false }), create('i2', 'k1')]);
        expect(await m.tombstoneFolder(at(3))).toBe(2);
        expect(await m.apply(at(2), [update('i1', 'k2')])).toEqual({ written: 0, unchanged: 0, fenced: 1 });
        expect(await m.apply(at(3), [update('i1', 'k3')])).toEqual({ written: 0, unchanged: 0, fenced: 1 });
        expect(await m.apply(at(2), [readFlag('i2', true)])).toEqual({ written: 0, unchanged: 0, fenced: 1 });
        // At the closing version a read flag finds a tombstone: nothing to flag.
        expect(await m.apply(at(3), [readFlag('i2', true)])).toMatchObject({ written: 0 });
        expect(await m.apply(at(3), [update('i1', 'k3'), readFlag('i2', true), create('i3', 'k3')])).toEqual({
          written: 0,
          unchanged: 1,
          fenced: 2,
        });
        expect(await live(m)).toEqual([]);
      });

      it('is never lowered: a close at a lower version after a higher one still refuses what the higher one does', async () => {
        const m = await make();
        await m.apply(at(1), [create('i1', 'k1')]);
        expect(await m.tombstoneFolder(at(5))).toBe(1);
        expect(await m.tombstoneFolder(at(3))).toBe(0);
        expect(await m.apply(at(4), [create('i1', 'k4'), create('i2', 'k4')])).toEqual({
          written: 0,
          unchanged: 0,
          fenced: 2,
        });
        expect(await live(m)).toEqual([]);
        expect(await m.apply(at(6), [create('i2', 'k6')])).toEqual({ written: 1, unchanged: 0, fenced: 0 });
        expect(await liveIds(m)).toEqual(['i2']);
      });

      it('closes only its own folder', async () => {
        const m = await make();
        await m.tombstoneFolder(at(5));
        expect(await m.apply(at(2, 0, 1_000_000, 'elsewhere'), [create('i1', 'k2')])).toMatchObject({
          written: 1,
        });
        expect(await liveIds(m, 'elsewhere')).toEqual(['i1']);
      });

      it('racing with a create of several items leaves nothing live, whatever the order', async () => {
        const m = await make();
        const items = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
        let round = 0;
        for (const [f, v] of [
          [3, 3],
          [2, 3],
        ] as const) {
          for (const closeFirst of [false, true, false, true]) {
            const folderId = `race-${round++}`;
            // One of the items was deleted before: its create makes a tombstone live again.
            await m.apply(at(1, 0, 1_000_000, folderId), [remove('r1')]);
            const apply = () =>
              m.apply(
                at(f, 0, 1_000_000, folderId),
                items.map((id) => create(id, `k${f}`)),
              );
            const close = () => m.tombstoneFolder(at(v, 0, 1_000_000, folderId));
            // Started in this order, then run concurrently.
            const [result] = closeFirst
              ? await Promise.all([close(), apply()]).then(([closed, applied]) => [applied, closed] as const)
              : await Promise.all([apply(), close()]);
            expect(result.written + result.fenced).toBe(items.length);
            expect(await live(m, folderId)).toEqual([]);
          }
        }
      });
    });
  });
}
