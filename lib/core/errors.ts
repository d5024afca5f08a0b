// Errors the core understands. The mail-source adapter maps protocol errors onto these kinds; the
// use cases decide the reaction from the kind alone, never from message text.

export type MailSourceErrorKind =
  /** The server asked us to slow down (ErrorServerBusy, HTTP 503/429). `retryAfterMs` if given. */
  | 'throttled'
  /** Worth retrying soon with back-off (transient server errors, network resets, timeouts). */
  | 'transient'
  /** The SyncState is no longer accepted: resync from scratch. */
  | 'invalidSyncState'
  /** The folder being synced no longer exists. */
  | 'folderNotFound'
  /** Credentials rejected or missing. */
  | 'auth'
  /** The mailbox cannot be synced until an operator acts (non-existent, impersonation denied). */
  | 'permanent'
  /** The server's answer could not be understood (malformed, truncated, unexpected shape). */
  | 'protocol';

export class MailSourceError extends Error {
  override readonly name = 'MailSourceError';
  readonly kind: MailSourceErrorKind;
  /** The server's code, e.g. `ErrorServerBusy`, `HTTP_503`. */
  readonly code: string;
  readonly retryAfterMs?: number;

  constructor(
    kind: MailSourceErrorKind,
    code: string,
    message: string,
    options?: { retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.code = code;
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** A queue message that is not a valid SyncJob: it goes to the DLQ with this reason. */
export class InvalidJobError extends Error {
  override readonly name = 'InvalidJobError';
  constructor(
    readonly reason: string,
    readonly messageId?: string,
  ) {
    super(`invalid sync job${messageId ? ` ${messageId}` : ''}: ${reason}`);
  }
}
