import { describe, expect, it } from 'vitest';
import { fromAttributeMap, toAttributeMap, toAttributeValue } from './attribute-value.js';

describe('attribute values', () => {
  it('round-trips nested plain data and drops undefined', () => {
    const value = {
      s: 'x',
      empty: '',
      n: 42.5,
      b: false,
      nil: null,
      list: [1, 'two', { three: 3 }],
      nested: { deep: { deeper: ['a'] } },
      gone: undefined,
    };
    const { gone: _, ...expected } = value;
    expect(fromAttributeMap(toAttributeMap(value))).toEqual(expected);
  });

  it('stores dates as ISO strings and refuses what DynamoDB cannot hold', () => {
    expect(toAttributeValue(new Date(0))).toEqual({ S: '1970-01-01T00:00:00.000Z' });
    expect(() => toAttributeValue(Number.NaN)).toThrow(/non-finite/);
    expect(() => toAttributeValue(() => 1)).toThrow(/function/);
  });
});
