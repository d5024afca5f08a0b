import { describe, expect, it } from 'vitest';
import type { MirrorItem } from '../model.js';
import type { ItemChange } from '../ports.js';
import { collapseChanges, nextMirrorRow } from './mirror-rules.js';

const write = { mailboxId: 'm', folderId: 'f', pageVersion: 5, generation: 1, now: 10 };
const row = (overrides: Partial<MirrorItem> = {}): MirrorItem => ({
  mailboxId: 'm',
  folderId: 'f',
  itemId: 'i',
  changeKey: 'ck1',
  itemType: 'Message',
  isRead: false,
  props: { subject: 's' },
  pageVersion: 5,
  generation: 1,
  deleted: false,
  updatedAt: 1,
  ...overrides,
});
const create: ItemChange = {
  kind: 'create',
  itemId: 'i',
  changeKey: 'ck1',
  itemType: 'Message',
  item: { subject: 's', isRead: false },
};

describe('collapseChanges', () => {
  it('keeps one change per item and folds a read flag into a preceding create', () => {
    const collapsed = collapseChanges([
      create,
      { kind: 'create', itemId: 'j', itemType: 'Message', item: {} },
      { kind: 'readFlagChange', itemId: 'i', changeKey: 'ck2', isRead: true },
      { kind: 'delete', itemId: 'j' },
    ]);
    expect(collapsed).toEqual([
      { ...create, changeKey: 'ck2', item: { subject: 's', isRead: true } },
      { kind: 'delete', itemId: 'j' },
    ]);
  });
});

describe('nextMirrorRow', () => {
  it('refuses writes from an older page (the fence) and allows the same or a newer page', () => {
    expect(nextMirrorRow(row({ pageVersion: 6 }), create, write)).toEqual({ kind: 'fenced' });
    expect(nextMirrorRow(row({ pageVersion: 5, changeKey: 'old' }), create, write).kind).toBe('write');
  });

  it('skips writes that change nothing, but counts a new generation as a change', () => {
    expect(nextMirrorRow(row({ pageVersion: 3 }), create, write)).toEqual({ kind: 'unchanged' });
    expect(nextMirrorRow(row({ pageVersion: 3, generation: 0 }), create, write).kind).toBe('write');
  });

  it('tombstones, even an item never seen, and never resurrects from a read flag', () => {
    const tomb = nextMirrorRow(undefined, { kind: 'delete', itemId: 'i' }, write);
    expect(tomb).toMatchObject({ kind: 'write', row: { deleted: true, pageVersion: 5 } });
    expect(nextMirrorRow(row({ deleted: true }), { kind: 'delete', itemId: 'i' }, write)).toEqual({
      kind: 'unchanged',
    });
    const flag: ItemChange = { kind: 'readFlagChange', itemId: 'i', isRead: true };
    expect(nextMirrorRow(row({ deleted: true }), flag, write)).toEqual({ kind: 'unchanged' });
    expect(nextMirrorRow(undefined, flag, write)).toEqual({ kind: 'unchanged' });
    expect(nextMirrorRow(row(), flag, write)).toMatchObject({
      kind: 'write',
      row: { isRead: true, changeKey: 'ck1' },
    });
  });

  it('takes the read flag from the item and keeps it out of the props', () => {
    for (const [value, expected] of [
      [true, true],
      [false, false],
    ] as const) {
      const change: ItemChange = { ...create, item: { subject: 's', isRead: value } };
      expect(nextMirrorRow(undefined, change, write)).toMatchObject({
        kind: 'write',
        row: { isRead: expected, props: { subject: 's' } },
      });
    }
    const noFlag: ItemChange = { ...create, changeKey: 'ck2', item: { subject: 's' } };
    expect(nextMirrorRow(row({ isRead: true, pageVersion: 1 }), noFlag, write)).toMatchObject({
      row: { isRead: true },
    });
  });
});
