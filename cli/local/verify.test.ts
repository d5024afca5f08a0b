import { describe, expect, it } from 'vitest';
import { compareFolder, summarize } from './verify.js';

describe('compareFolder', () => {
  it('finds missing, extra and stale items', () => {
    const result = compareFolder(
      'a@x',
      'f1',
      [
        { id: 'same', changeKey: 'k1', isRead: true },
        { id: 'missing', changeKey: 'k1' },
        { id: 'old-key', changeKey: 'k2' },
        { id: 'unread', changeKey: 'k1', isRead: false },
      ],
      [
        { itemId: 'same', changeKey: 'k1', isRead: true },
        { itemId: 'old-key', changeKey: 'k1' },
        { itemId: 'unread', changeKey: 'k1', isRead: true },
        { itemId: 'extra', changeKey: 'k9' },
      ],
    );
    expect(result).toMatchObject({ missing: ['missing'], extra: ['extra'], stale: ['old-key', 'unread'] });
  });

  it('ignores the read flag of types that have none on the wire', () => {
    const result = compareFolder(
      'a@x',
      'cal',
      [{ id: 'meeting', changeKey: 'k', itemType: 'CalendarItem', isRead: false }],
      [{ itemId: 'meeting', changeKey: 'k' }],
    );
    expect(result.stale).toEqual([]);
  });
});

describe('summarize', () => {
  it('is verified only when no folder differs', () => {
    const equal = compareFolder('a', 'f', [{ id: 'i', changeKey: 'k' }], [{ itemId: 'i', changeKey: 'k' }]);
    const differs = compareFolder('a', 'g', [{ id: 'i', changeKey: 'k' }], []);
    expect(summarize([equal]).verified).toBe(true);
    expect(summarize([equal, differs])).toMatchObject({
      verified: false,
      folders: 2,
      serverItems: 2,
      missing: 1,
    });
  });
});
