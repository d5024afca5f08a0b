import { describe, expect, it } from 'vitest';
import { itemBytes, writeUnits } from './dynamo-item-size.js';

describe('itemBytes', () => {
  it('counts names and values as DynamoDB bills them', () => {
    // "pk" (2) + "a@b" (3), "v" (1) + 12345 (3 digits pairs + 1 = 4), "ok" (2) + true (1)
    expect(itemBytes({ pk: { S: 'a@b' }, v: { N: '12345' }, ok: { BOOL: true } })).toBe(
      2 + 3 + 1 + 4 + 2 + 1,
    );
    expect(itemBytes({ m: { M: { x: { S: 'yz' } } } })).toBe(1 + 3 + (1 + 2) + 1);
  });

  it('turns bytes into write units of 1 KB, at least one', () => {
    expect([0, 1024, 1025, 2048].map(writeUnits)).toEqual([1, 1, 2, 2]);
  });
});
