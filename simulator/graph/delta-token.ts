// Graph $skiptoken/$deltatoken values. Like EWS SyncStates they carry the client's whole
// knowledge, so the server keeps no session: a client that stored a link can come back after a
// restart (its own) and resume. The inner part is an EWS SyncState from the shared codec (the
// same knowledge over the same journals, bound to mailbox, folder and mailbox epoch); the outer
// part binds what Graph adds (which delta, nextLink or deltaLink, the $select) and is HMAC
// protected with this instance's key, so a token is opaque and cannot be edited or moved to
// another folder, delta kind or $select.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SyncKnowledge } from '../sync-engine.js';
import { InvalidSyncStateError, type SyncStateBinding, SyncStateCodec } from '../sync-state.js';

export type DeltaKind = 'mailFolders' | 'contactFolders' | 'messages' | 'contacts';
export type TokenPhase = 'skip' | 'delta';

export interface DeltaBinding {
  kind: DeltaKind;
  mailboxIndex: number;
  /** The folder whose items are synced, or the hierarchy root (msgfolderroot). */
  folderSerial: number;
  epoch: number;
  /** Bit mask of the $select properties (0: none given, the default property set). */
  selectMask: number;
}

export interface DecodedToken {
  knowledge: SyncKnowledge;
  /** The $select the round was started with (links do not repeat it). */
  selectMask: number;
}

/** A token Graph would refuse; `status` 410 means "start over", 400 "this is not yours". */
export class DeltaTokenError extends Error {
  override readonly name = 'DeltaTokenError';
  constructor(
    readonly status: 400 | 410,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const VERSION = 1;
const MAC_BYTES = 16;
const KIND_CODE: Record<DeltaKind, number> = { mailFolders: 1, contactFolders: 2, messages: 3, contacts: 4 };
const PHASE_CODE: Record<TokenPhase, number> = { skip: 1, delta: 2 };

function innerBinding(b: DeltaBinding): SyncStateBinding {
  const hierarchy = b.kind === 'mailFolders' || b.kind === 'contactFolders';
  return {
    kind: hierarchy ? 'hierarchy' : 'items',
    mailboxIndex: b.mailboxIndex,
    folderSerial: b.folderSerial,
    scope: 'NormalItems',
    epoch: b.epoch,
  };
}

function invalid(reason: string): DeltaTokenError {
  return new DeltaTokenError(400, 'SyncStateInvalid', `The sync state is invalid: ${reason}.`);
}

export class DeltaTokenCodec {
  private readonly key: Buffer;
  private readonly inner: SyncStateCodec;

  constructor(key: Buffer = randomBytes(32)) {
    this.key = key;
    this.inner = new SyncStateCodec(createHmac('sha256', key).update('inner').digest());
  }

  encode(binding: DeltaBinding, phase: TokenPhase, knowledge: SyncKnowledge): string {
    const state = Buffer.from(this.inner.encode(innerBinding(binding), knowledge), 'base64');
    const head = Buffer.alloc(7);
    head[0] = VERSION;
    head[1] = KIND_CODE[binding.kind];
    head[2] = PHASE_CODE[phase];
    head.writeUInt32BE(binding.selectMask >>> 0, 3);
    const payload = Buffer.concat([head, state]);
    return Buffer.concat([payload, this.mac(payload)]).toString('base64url');
  }

  /**
   * The knowledge in `token`, or DeltaTokenError unless it is a live token for exactly `expected`.
   * A selectMask of undefined accepts the token's own (the request repeated no $select).
   */
  decode(
    token: string,
    phase: TokenPhase,
    expected: Omit<DeltaBinding, 'selectMask'> & { selectMask?: number },
  ): DecodedToken {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw invalid('not a token');
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length < 7 + MAC_BYTES) throw invalid('truncated');
    const payload = bytes.subarray(0, bytes.length - MAC_BYTES);
    if (!timingSafeEqual(bytes.subarray(bytes.length - MAC_BYTES), this.mac(payload))) {
      // Also what a token of an earlier simulator instance gets: its history is gone.
      throw invalid('integrity check failed');
    }
    if (payload[0] !== VERSION) throw invalid('unknown format');
    if (payload[1] !== KIND_CODE[expected.kind]) throw invalid(`not a ${expected.kind} delta token`);
    if (payload[2] !== PHASE_CODE[phase]) throw invalid(`not a $${phase}token`);
    const selectMask = payload.readUInt32BE(3);
    if (expected.selectMask !== undefined && selectMask !== expected.selectMask >>> 0) {
      throw invalid('issued for another $select');
    }
    try {
      const state = payload.subarray(7).toString('base64');
      return { knowledge: this.inner.decode(state, innerBinding({ ...expected, selectMask })), selectMask };
    } catch (error) {
      if (!(error instanceof InvalidSyncStateError)) throw error;
      if (error.reason === 'issued before the mailbox moved') {
        throw new DeltaTokenError(
          410,
          'resyncRequired',
          'The delta token is no longer valid, and the app must reset the sync state.',
        );
      }
      throw invalid(error.reason);
    }
  }

  private mac(payload: Buffer): Buffer {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, MAC_BYTES);
  }
}
