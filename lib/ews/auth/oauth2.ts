// OAuth2 client credentials for Exchange Online (app-only access with ExchangeImpersonation): the
// shared provider of lib/auth with the Exchange Online scope, its errors wrapped into EwsError as
// EWS callers expect (a redirect is an EwsRedirectError, an oversized answer a
// ResponseTooLargeError, the rest EwsError with the same kind and code).
import {
  ClientCredentialsTokenProvider,
  DEFAULT_TOKEN_TIMEOUT_MS,
  defaultTokenUrl,
  REFRESH_MARGIN_MS,
} from '../../auth/client-credentials.js';
import { TokenRequestError } from '../../auth/token-request-error.js';
import { EwsError } from '../errors.js';
import { ResponseTooLargeError } from '../http/read-body.js';
import { EwsRedirectError } from '../http/redirect.js';
import type { AuthProvider } from './types.js';

export { defaultTokenUrl, REFRESH_MARGIN_MS };

export const EXCHANGE_ONLINE_SCOPE = 'https://outlook.office365.com/.default';

export interface OAuth2Options {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  tokenUrl?: string;
  /** EXCHANGE_ONLINE_SCOPE unless given. */
  scope?: string;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
  allowInsecureHttp?: boolean;
  /** Cap on the token answer's size; DEFAULT_MAX_RESPONSE_BYTES, like EWS answers. */
  maxResponseBytes?: number;
}

export class OAuth2ClientCredentialsProvider implements AuthProvider {
  readonly scheme = 'Bearer';
  readonly tokenUrl: string;
  readonly #provider: ClientCredentialsTokenProvider;

  constructor(options: OAuth2Options) {
    try {
      this.#provider = new ClientCredentialsTokenProvider({
        ...options,
        scope: options.scope ?? EXCHANGE_ONLINE_SCOPE,
        timeoutMs: options.timeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS,
      });
    } catch (error) {
      throw toEwsError(error);
    }
    this.tokenUrl = this.#provider.tokenUrl;
  }

  /** Number of token requests made: lets tests and metrics see the cache working. */
  get tokenRequests(): number {
    return this.#provider.tokenRequests;
  }

  async authorization(signal?: AbortSignal): Promise<string> {
    try {
      return await this.#provider.authorization(signal);
    } catch (error) {
      throw toEwsError(error);
    }
  }

  rejected(authorization: string): boolean {
    // Drop the token unless a concurrent call already replaced it; either way a retry gets a fresh one.
    this.#provider.invalidate(authorization);
    return true;
  }
}

function toEwsError(error: unknown): unknown {
  if (!(error instanceof TokenRequestError)) return error;
  const status = error.httpStatus;
  if (error.code === 'Redirect') {
    return new EwsRedirectError(error.kind, error.code, error.message, status ?? 0, error.locationOrigin);
  }
  if (error.code === 'ResponseTooLarge' && error.limitBytes !== undefined) {
    return new ResponseTooLargeError(error.limitBytes, status ?? 0);
  }
  return new EwsError(error.kind, error.code, error.message, {
    ...(status === undefined ? {} : { httpStatus: status }),
    ...(error.retryAfterMs === undefined ? {} : { backOffMs: error.retryAfterMs }),
    cause: error.cause ?? error,
  });
}
