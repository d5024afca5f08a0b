// The one error of the token request. Protocol clients (lib/ews, lib/graph) wrap it into their own
// error type; its kinds are a subset of theirs, so wrapping keeps `kind` as is.

export type TokenRequestErrorKind =
  /** The token endpoint refused the credentials (or redirected, or answered without a token). */
  | 'auth'
  /** The token endpoint answered 429: wait `retryAfterMs` when given. */
  | 'throttled'
  /** 5xx, network failure, timeout: worth retrying soon. */
  | 'transient'
  /** The answer was larger than the cap. */
  | 'protocol'
  /** The configuration is unusable (the token URL is not an https URL). */
  | 'permanent';

export interface TokenRequestErrorOptions {
  httpStatus?: number;
  retryAfterMs?: number;
  /** scheme://host[:port] a redirect pointed to; never a path or query. */
  locationOrigin?: string;
  /** Set for code 'ResponseTooLarge': the cap that was passed. */
  limitBytes?: number;
  cause?: unknown;
}

export class TokenRequestError extends Error {
  override readonly name = 'TokenRequestError';
  readonly kind: TokenRequestErrorKind;
  /** `OAuth2:<error>` from the token endpoint, or ours: Redirect, TokenTimeout, ResponseTooLarge, ... */
  readonly code: string;
  readonly httpStatus?: number;
  readonly retryAfterMs?: number;
  readonly locationOrigin?: string;
  readonly limitBytes?: number;

  constructor(
    kind: TokenRequestErrorKind,
    code: string,
    message: string,
    options: TokenRequestErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.code = code;
    if (options.httpStatus !== undefined) this.httpStatus = options.httpStatus;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.locationOrigin !== undefined) this.locationOrigin = options.locationOrigin;
    if (options.limitBytes !== undefined) this.limitBytes = options.limitBytes;
  }
}
