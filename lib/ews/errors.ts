// Every failure of the EWS layer is an EwsError. `kind` is what the sync engine reacts to; `code`
// is what the server (or our transport) said, for logs and lastError. Logic never keys on message
// text: Exchange localises it and O365 concatenates several messages into one.

export type EwsErrorKind =
  /** ErrorServerBusy, HTTP 503/429: wait `backOffMs` (when given) before calling again. */
  | 'throttled'
  /** Worth retrying soon: transient server errors, network resets, timeouts. */
  | 'transient'
  /** The SyncState is no longer accepted: start over without one. */
  | 'invalidSyncState'
  /** The folder being synced does not exist (any more). */
  | 'folderNotFound'
  /** Credentials rejected (HTTP 401/403, token endpoint refused them). */
  | 'auth'
  /** The mailbox cannot be synced until an operator acts (non-existent, impersonation denied, ...). */
  | 'permanent'
  /** The answer could not be understood (malformed or truncated XML, unexpected shape, too large). */
  | 'protocol'
  /** An EWS error code we have no rule for. */
  | 'other';

export interface EwsErrorOptions {
  backOffMs?: number;
  httpStatus?: number;
  /** Set when `code` is an inner code: the code that wrapped it (ErrorInternalServerError). */
  outerCode?: string;
  cause?: unknown;
}

export class EwsError extends Error {
  override readonly name: string = 'EwsError';
  readonly kind: EwsErrorKind;
  /** The EWS ResponseCode (`ErrorServerBusy`), a SOAP faultcode, or our own `HTTP_503`, `Timeout`, ... */
  readonly code: string;
  /** The server's BackOffMilliseconds, or Retry-After converted to ms. */
  readonly backOffMs?: number;
  readonly httpStatus?: number;
  /**
   * The code Exchange wrapped `code` in (ErrorInternalServerError with an InnerErrorResponseCode);
   * absent when `code` is what the answer said at the top level.
   */
  readonly outerCode?: string;

  constructor(kind: EwsErrorKind, code: string, message: string, options: EwsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.code = code;
    if (options.backOffMs !== undefined) this.backOffMs = options.backOffMs;
    if (options.httpStatus !== undefined) this.httpStatus = options.httpStatus;
    if (options.outerCode !== undefined) this.outerCode = options.outerCode;
  }
}

/** The bytes were not a well-formed, understandable EWS answer. Never a partial result. */
export class EwsProtocolError extends EwsError {
  override readonly name = 'EwsProtocolError';
  /** Character offset in the document where the problem was found, when known. */
  readonly offset?: number;

  constructor(message: string, options: EwsErrorOptions & { offset?: number; code?: string } = {}) {
    super('protocol', options.code ?? 'ProtocolError', message, options);
    if (options.offset !== undefined) this.offset = options.offset;
  }
}

/**
 * A SyncFolderItems answer with more changes than the MaxChangesReturned we asked for. The server
 * never does that; storing its SyncState would skip whatever it meant to send, so the page is
 * refused as a whole.
 */
export class TooManyChangesError extends EwsError {
  override readonly name = 'TooManyChangesError';

  constructor(
    readonly changes: number,
    readonly maxChanges: number,
    options: EwsErrorOptions = {},
  ) {
    super(
      'protocol',
      'TooManyChanges',
      `SyncFolderItems answered ${changes} changes, more than the MaxChangesReturned of ${maxChanges} we asked for`,
      options,
    );
  }
}

/**
 * An answer with more XML elements than the reader accepts (`maxElements`): refused while reading,
 * before the tree grows any further. A real 512-change page has a few tens of thousands.
 */
export class TooManyElementsError extends EwsError {
  override readonly name = 'TooManyElementsError';

  constructor(
    readonly maxElements: number,
    options: EwsErrorOptions = {},
  ) {
    super(
      'protocol',
      'TooManyElements',
      `answer has more than ${maxElements} XML elements (maxElements)`,
      options,
    );
  }
}
