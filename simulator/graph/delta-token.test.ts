import { describe, expect, it } from 'vitest';
import { RangeSet } from '../range-set.js';
import { type DeltaBinding, DeltaTokenCodec, DeltaTokenError } from './delta-token.js';

const binding: DeltaBinding = {
  kind: 'messages',
  mailboxIndex: 1,
  folderSerial: 7,
  epoch: 0,
  selectMask: 0x80000005,
};
const knowledge = { given: RangeSet.interval(1, 40), seen: RangeSet.interval(1, 55) };

function refusal(fn: () => unknown): [number, string] | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof DeltaTokenError) return [error.status, error.code];
    throw error;
  }
  return undefined;
}

describe('DeltaTokenCodec', () => {
  it('round-trips knowledge and the $select as URL-safe text', () => {
    const codec = new DeltaTokenCodec();
    const token = codec.encode(binding, 'skip', knowledge);
    expect(token).toMatch(/^[\w-]+$/);
    const decoded = codec.decode(token, 'skip', { ...binding, selectMask: undefined });
    expect(decoded.selectMask).toBe(binding.selectMask);
    expect(decoded.knowledge.given.toBounds()).toEqual([1, 40]);
    expect(decoded.knowledge.seen.toBounds()).toEqual([1, 55]);
  });

  it('refuses tokens of another kind, phase, folder, mailbox, $select or instance', () => {
    const codec = new DeltaTokenCodec();
    const token = codec.encode(binding, 'delta', knowledge);
    const invalid = [400, 'SyncStateInvalid'];
    expect(refusal(() => codec.decode(token, 'skip', binding))).toEqual(invalid);
    expect(refusal(() => codec.decode(token, 'delta', { ...binding, kind: 'contacts' }))).toEqual(invalid);
    expect(refusal(() => codec.decode(token, 'delta', { ...binding, folderSerial: 8 }))).toEqual(invalid);
    expect(refusal(() => codec.decode(token, 'delta', { ...binding, mailboxIndex: 2 }))).toEqual(invalid);
    expect(refusal(() => codec.decode(token, 'delta', { ...binding, selectMask: 0 }))).toEqual(invalid);
    expect(refusal(() => new DeltaTokenCodec().decode(token, 'delta', binding))).toEqual(invalid);
    expect(refusal(() => codec.decode(token.slice(0, -3), 'delta', binding))).toEqual(invalid);
    expect(refusal(() => codec.decode('a+b/', 'delta', binding))).toEqual(invalid);
  });

  it('asks for a resync (410) after the mailbox epoch moved', () => {
    const codec = new DeltaTokenCodec();
    const token = codec.encode(binding, 'delta', knowledge);
    expect(refusal(() => codec.decode(token, 'delta', { ...binding, epoch: 1 }))).toEqual([
      410,
      'resyncRequired',
    ]);
  });
});
