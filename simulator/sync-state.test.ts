import { describe, expect, it } from 'vitest';
import { RangeSet } from './range-set.js';
import { InvalidSyncStateError, type SyncStateBinding, SyncStateCodec } from './sync-state.js';

const codec = new SyncStateCodec(Buffer.from('secret'));
const binding: SyncStateBinding = {
  kind: 'items',
  mailboxIndex: 2,
  folderSerial: 9,
  scope: 'NormalItems',
  epoch: 0,
};
const knowledge = { given: RangeSet.of(1, 2, 3, 7), seen: RangeSet.interval(1, 40) };

describe('SyncStateCodec', () => {
  it('round-trips', () => {
    const decoded = codec.decode(codec.encode(binding, knowledge), binding);
    expect(decoded.given.toBounds()).toEqual([1, 3, 7, 7]);
    expect(decoded.seen.toBounds()).toEqual([1, 40]);
  });

  const state = codec.encode(binding, knowledge);
  const flipped = Buffer.from(state, 'base64');
  flipped[5] = flipped[5]! ^ 1;
  const cases: [string, string, SyncStateBinding][] = [
    ['tampered', flipped.toString('base64'), binding],
    ['truncated', state.slice(0, 12), binding],
    ['garbage', 'not a state!', binding],
    ['another folder', state, { ...binding, folderSerial: 10 }],
    ['another mailbox', state, { ...binding, mailboxIndex: 1 }],
    ['a hierarchy state used for items', codec.encode({ ...binding, kind: 'hierarchy' }, knowledge), binding],
    ['another scope', state, { ...binding, scope: 'NormalAndAssociatedItems' }],
    ['before a mailbox move', state, { ...binding, epoch: 1 }],
    ['another server key', new SyncStateCodec(Buffer.from('other')).encode(binding, knowledge), binding],
  ];
  it.each(cases)('rejects %s', (_, value, expected) => {
    expect(() => codec.decode(value, expected)).toThrow(InvalidSyncStateError);
  });
});
