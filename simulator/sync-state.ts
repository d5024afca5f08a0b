// SyncState blobs: the client's knowledge (two range sets) plus what the state is bound to, HMAC
// protected and base64 encoded. The server keeps nothing per client; a tampered, truncated or
// foreign blob is rejected, as Exchange rejects it with ErrorInvalidSyncStateData.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RangeSet } from './range-set.js';
import type { SyncKnowledge } from './sync-engine.js';

const FORMAT_VERSION = 1;
const MAC_BYTES = 16;

export type SyncKind = 'items' | 'hierarchy';
export type SyncScope = 'NormalItems' | 'NormalAndAssociatedItems';

export interface SyncStateBinding {
  kind: SyncKind;
  mailboxIndex: number;
  /** The synced folder (items) or the sync root (hierarchy). */
  folderSerial: number;
  /** Always NormalItems for hierarchy states. */
  scope: SyncScope;
  /** The mailbox's state epoch; bumping it invalidates every older state. */
  epoch: number;
}

export class InvalidSyncStateError extends Error {
  override readonly name = 'InvalidSyncStateError';
  constructor(readonly reason: string) {
    super(`invalid sync state: ${reason}`);
  }
}

function writeVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

class Reader {
  private offset = 0;
  constructor(private readonly bytes: Buffer) {}

  varint(): number {
    let result = 0;
    let factor = 1;
    for (let i = 0; i < 8; i++) {
      if (this.offset >= this.bytes.length) throw new InvalidSyncStateError('truncated');
      const b = this.bytes[this.offset++]!;
      result += (b & 0x7f) * factor;
      if ((b & 0x80) === 0) return result;
      factor *= 128;
    }
    throw new InvalidSyncStateError('varint too long');
  }

  get done(): boolean {
    return this.offset === this.bytes.length;
  }
}

function writeRanges(out: number[], set: RangeSet): void {
  const bounds = set.toBounds();
  writeVarint(out, bounds.length / 2);
  let previous = 0;
  for (const value of bounds) {
    writeVarint(out, value - previous);
    previous = value;
  }
}

function readRanges(reader: Reader): RangeSet {
  const count = reader.varint();
  if (count > 1_000_000) throw new InvalidSyncStateError('implausible range count');
  const bounds: number[] = [];
  let previous = 0;
  for (let i = 0; i < count * 2; i++) {
    const value = previous + reader.varint();
    // Starts must leave a gap after the previous end; ends must not precede their start.
    if (i > 0 && (i % 2 === 0 ? value <= previous + 1 : value < previous)) {
      throw new InvalidSyncStateError('ranges out of order');
    }
    if (i === 0 && value < 1) throw new InvalidSyncStateError('range starts below 1');
    bounds.push(value);
    previous = value;
  }
  return new RangeSet(bounds);
}

const KIND_CODE: Record<SyncKind, number> = { items: 1, hierarchy: 2 };
const SCOPE_CODE: Record<SyncScope, number> = { NormalItems: 0, NormalAndAssociatedItems: 1 };

export class SyncStateCodec {
  constructor(private readonly key: Buffer) {}

  encode(binding: SyncStateBinding, knowledge: SyncKnowledge): string {
    const out: number[] = [FORMAT_VERSION, KIND_CODE[binding.kind], SCOPE_CODE[binding.scope]];
    writeVarint(out, binding.mailboxIndex);
    writeVarint(out, binding.epoch);
    writeVarint(out, binding.folderSerial);
    writeRanges(out, knowledge.given);
    writeRanges(out, knowledge.seen);
    const payload = Buffer.from(out);
    return Buffer.concat([payload, this.mac(payload)]).toString('base64');
  }

  /** Throws InvalidSyncStateError unless the state is intact and bound to exactly `expected`. */
  decode(state: string, expected: SyncStateBinding): SyncKnowledge {
    const trimmed = state.trim();
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) {
      throw new InvalidSyncStateError('not base64');
    }
    const bytes = Buffer.from(trimmed, 'base64');
    if (bytes.length < MAC_BYTES + 6) throw new InvalidSyncStateError('truncated');
    const payload = bytes.subarray(0, bytes.length - MAC_BYTES);
    const mac = bytes.subarray(bytes.length - MAC_BYTES);
    if (!timingSafeEqual(mac, this.mac(payload))) throw new InvalidSyncStateError('integrity check failed');
    if (payload[0] !== FORMAT_VERSION) throw new InvalidSyncStateError('unknown format');
    if (payload[1] !== KIND_CODE[expected.kind])
      throw new InvalidSyncStateError(`not a ${expected.kind} state`);
    if (payload[2] !== SCOPE_CODE[expected.scope])
      throw new InvalidSyncStateError('issued for another scope');
    const reader = new Reader(payload.subarray(3));
    if (reader.varint() !== expected.mailboxIndex)
      throw new InvalidSyncStateError('issued for another mailbox');
    if (reader.varint() !== expected.epoch)
      throw new InvalidSyncStateError('issued before the mailbox moved');
    if (reader.varint() !== expected.folderSerial)
      throw new InvalidSyncStateError('issued for another folder');
    const given = readRanges(reader);
    const seen = readRanges(reader);
    if (!reader.done) throw new InvalidSyncStateError('trailing bytes');
    return { given, seen };
  }

  private mac(payload: Buffer): Buffer {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, MAC_BYTES);
  }
}
