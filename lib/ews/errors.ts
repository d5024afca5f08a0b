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

  constructor(kind: EwsErrorKind, code: string, message: string, options: EwsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.code = code;
    if (options.backOffMs !== undefined) this.backOffMs = options.backOffMs;
    if (options.httpStatus !== undefined) this.httpStatus = options.httpStatus;
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

const THROTTLED = new Set(['ErrorServerBusy', 'ErrorExceededConnectionCount', 'ErrorTooManyRequests']);

const TRANSIENT = new Set([
  'ErrorInternalServerTransientError',
  'ErrorInternalServerError',
  'ErrorTooManyObjectsOpened',
  'ErrorMailboxStoreUnavailable',
  'ErrorMailboxMoveInProgress',
  'ErrorTimeoutExpired',
  'ErrorConnectionFailed',
  'ErrorInsufficientResources',
  'ErrorBatchProcessingStopped',
  'ErrorMailboxLogonFailed',
  'ErrorProxyRequestProcessingFailed',
]);

const INVALID_SYNC_STATE = new Set(['ErrorInvalidSyncStateData']);

/** Codes that mean "the folder you sync is gone" when the request was about one folder. */
const FOLDER_NOT_FOUND = new Set([
  'ErrorSyncFolderNotFound',
  'ErrorFolderNotFound',
  // Exchange 2010 answers GetFolder on a deleted folder with ErrorItemNotFound (NOTES quirk 17).
  'ErrorItemNotFound',
  'ErrorInvalidIdMalformed',
]);

const PERMANENT = new Set([
  'ErrorNonExistentMailbox',
  'ErrorImpersonateUserDenied',
  'ErrorImpersonationDenied',
  'ErrorImpersonationFailed',
  'ErrorAccessDenied',
  'ErrorAccountDisabled',
  'ErrorInvalidSmtpAddress',
  'ErrorMailboxConfiguration',
  'ErrorNotAllowedExternalSharingByPolicy',
]);

const PROTOCOL = new Set(['ErrorSchemaValidation', 'ErrorInvalidRequest', 'ErrorInvalidServerVersion']);

/**
 * Classifies an EWS ResponseCode. `folderScoped` is true when the request targeted one folder
 * (SyncFolderItems, GetFolder): "item not found" then means the folder itself.
 */
export function classifyResponseCode(code: string, folderScoped: boolean): EwsErrorKind {
  if (THROTTLED.has(code)) return 'throttled';
  if (TRANSIENT.has(code)) return 'transient';
  if (INVALID_SYNC_STATE.has(code)) return 'invalidSyncState';
  if (folderScoped && FOLDER_NOT_FOUND.has(code)) return 'folderNotFound';
  if (code === 'ErrorFolderNotFound' || code === 'ErrorSyncFolderNotFound') return 'folderNotFound';
  if (PERMANENT.has(code)) return 'permanent';
  if (PROTOCOL.has(code)) return 'protocol';
  return 'other';
}
