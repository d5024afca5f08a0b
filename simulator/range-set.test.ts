import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RangeSet } from './range-set.js';

describe('RangeSet', () => {
  it('behaves like a set of integers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 60 })), { maxLength: 200 }),
        (ops) => {
          const set = new RangeSet();
          const model = new Set<number>();
          for (const [add, v] of ops) {
            if (add) {
              set.add(v);
              model.add(v);
            } else {
              set.remove(v);
              model.delete(v);
            }
          }
          expect([...set.values()]).toEqual([...model].sort((x, y) => x - y));
          const b = set.toBounds();
          for (let i = 2; i < b.length; i += 2) expect(b[i]!).toBeGreaterThan(b[i - 1]! + 1);
        },
      ),
    );
  });

  it('merges neighbours into one range', () => {
    const set = RangeSet.of(1, 3, 2, 5, 4);
    expect(set.toBounds()).toEqual([1, 5]);
  });
});
