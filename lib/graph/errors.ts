// Every failure of the Graph client is a GraphError. `kind` is what the sync engine reacts to;
// `code` is what Graph (or our transport) said, for logs and lastError. Logic never keys on message
// text.

export type GraphErrorKind =
  /** 429/503 or a throttling code: wait `retryAfterMs` (when given) before calling this mailbox again. */
  | 'throttled'
  /** Worth retrying soon: 5xx, network failures, timeouts. */
  | 'transient'
  /** The delta link is no longer accepted (410, syncStateNotFound, ...): start the round over without one. */
  | 'invalidSyncState'
  /** The folder named in the path does not exist (any more). */
  | 'folderNotFound'
  /** Credentials refused: a 401 after one token refresh, or the token endpoint refused them. */
  | 'auth'
  /** Nothing changes until an operator acts: permission missing (403), unknown mailbox, foreign link, redirect. */
  | 'permanent'
  /** The answer could not be understood: malformed JSON or shape, too large, too many entries. */
  | 'protocol';

export interface GraphErrorOptions {
  status?: number;
  retryAfterMs?: number;
  /** The client-request-id of the call. */
  requestId?: string;
  /** error.innerError.code of Graph's answer, when it had one. */
  innerCode?: string;
  cause?: unknown;
}

export class GraphError extends Error {
  override readonly name: string = 'GraphError';
  readonly kind: GraphErrorKind;
  /** Graph's error.code (`ErrorAccessDenied`, `syncStateNotFound`), or ours: `HTTP_503`, `Timeout`, `ForeignLink`, ... */
  readonly code: string;
  readonly status?: number;
  /** Retry-After in ms (delta seconds or an HTTP date); undefined when Graph sent none. */
  readonly retryAfterMs?: number;
  readonly requestId?: string;
  readonly innerCode?: string;

  constructor(kind: GraphErrorKind, code: string, message: string, options: GraphErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.code = code;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.requestId !== undefined) this.requestId = options.requestId;
    if (options.innerCode !== undefined) this.innerCode = options.innerCode;
  }
}

/** The bytes were not a well-formed delta or folder answer. Never a partial result. */
export class GraphProtocolError extends GraphError {
  override readonly name = 'GraphProtocolError';

  constructor(code: string, message: string, options: GraphErrorOptions = {}) {
    super('protocol', code, message, options);
  }
}
