// OAuth2 client credentials (app-only tokens) for any Microsoft resource: the scope says which
// (EWS: https://outlook.office365.com/.default, Graph: https://graph.microsoft.com/.default).
// One provider per (tenant, client, scope): it caches its token, refreshes it before it expires,
// and lets concurrent callers share one request. The token request is never redirected (a
// followed 307 would re-post the client secret), its answer is read with a size cap, and no
// error ever carries the secret.

import { BodyTooLargeError, DEFAULT_MAX_RESPONSE_BYTES, readCappedText } from '../http/read-capped-text.js';
import { describeRedirect, inspectRedirect } from '../http/redirect.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { TokenRequestError } from './token-request-error.js';

/** Refresh this long before the token expires (at most half its lifetime). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

export const DEFAULT_TOKEN_TIMEOUT_MS = 30_000;

export interface ClientCredentialsOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The resource's `.default` scope; no default, so a token is never minted for the wrong API. */
  scope: string;
  /** Overrides the Microsoft identity platform token endpoint (tests, sovereign clouds). */
  tokenUrl?: string;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
  /** Plain http:// token endpoints only for tests and the local simulator. */
  allowInsecureHttp?: boolean;
  /** Cap on the token answer's size; DEFAULT_MAX_RESPONSE_BYTES (8 MiB). */
  maxResponseBytes?: number;
}

interface CachedToken {
  header: string;
  refreshAt: number;
}

export function defaultTokenUrl(tenantId: string): string {
  return `https://login.microsoftonline.com/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
}

export class ClientCredentialsTokenProvider {
  readonly scheme = 'Bearer';
  readonly tokenUrl: string;
  readonly scope: string;
  readonly #options: ClientCredentialsOptions;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  #cached: CachedToken | undefined;
  #pending: Promise<CachedToken> | undefined;
  /** Number of token requests made: lets tests and metrics see the cache working. */
  tokenRequests = 0;

  constructor(options: ClientCredentialsOptions) {
    if (options.scope.trim() === '') {
      throw new TokenRequestError('permanent', 'MissingScope', 'client credentials need a scope');
    }
    this.#options = options;
    this.scope = options.scope;
    this.tokenUrl = options.tokenUrl ?? defaultTokenUrl(options.tenantId);
    let url: URL;
    try {
      url = new URL(this.tokenUrl);
    } catch (error) {
      throw new TokenRequestError('permanent', 'InvalidTokenUrl', 'token endpoint is not a URL', {
        cause: error,
      });
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowInsecureHttp === true)) {
      throw new TokenRequestError(
        'permanent',
        'InsecureTokenUrl',
        `token endpoint must use https: ${url.origin}`,
      );
    }
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? Date.now;
  }

  /** `Bearer <token>`, from the cache while it is fresh. Throws TokenRequestError. */
  async authorization(signal?: AbortSignal): Promise<string> {
    const cached = this.#cached;
    if (cached !== undefined && this.#now() < cached.refreshAt) return cached.header;
    // One request in flight per provider: concurrent calls share it.
    this.#pending ??= this.#requestToken(signal).finally(() => {
      this.#pending = undefined;
    });
    return (await this.#pending).header;
  }

  /**
   * The resource answered 401: the next authorization() asks for a new token. Given the header
   * that was refused, a token a concurrent call already replaced is kept.
   */
  invalidate(rejectedAuthorization?: string): void {
    if (rejectedAuthorization === undefined || this.#cached?.header === rejectedAuthorization) {
      this.#cached = undefined;
    }
  }

  async #requestToken(signal?: AbortSignal): Promise<CachedToken> {
    const { clientId, clientSecret, scope, timeoutMs = DEFAULT_TOKEN_TIMEOUT_MS } = this.#options;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    this.tokenRequests++;
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(this.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
          scope,
        }).toString(),
        signal: combined,
        redirect: 'manual',
      });
      const redirect = inspectRedirect(response, this.tokenUrl);
      if (redirect !== undefined) {
        await response.body?.cancel().catch(() => undefined);
        throw new TokenRequestError('auth', 'Redirect', describeRedirect('token request', redirect), {
          httpStatus: redirect.status,
          ...(redirect.locationOrigin === undefined ? {} : { locationOrigin: redirect.locationOrigin }),
        });
      }
      text = await readCappedText(response, this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
    } catch (error) {
      throw requestFailed(error, timeout, signal);
    }
    const json = parseJsonObject(text);
    if (!response.ok) throw refused(response, json, this.#now());
    const token = json.access_token;
    const expiresIn = Number(json.expires_in);
    if (typeof token !== 'string' || token === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new TokenRequestError(
        'auth',
        'OAuth2:invalid_response',
        'token endpoint answer has no usable access_token',
        { httpStatus: response.status },
      );
    }
    const lifetimeMs = expiresIn * 1000;
    const cached = {
      header: `Bearer ${token}`,
      refreshAt: this.#now() + lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2),
    };
    this.#cached = cached;
    return cached;
  }
}

function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
  } catch {
    // Non-JSON answers are judged by their status.
  }
  return {};
}

/** A non-2xx token answer. error_description names the problem (AADSTS codes) and never echoes the secret. */
function refused(response: Response, json: Record<string, unknown>, now: number): TokenRequestError {
  const status = response.status;
  const oauthError = typeof json.error === 'string' ? json.error : `HTTP_${status}`;
  const description =
    typeof json.error_description === 'string' ? `: ${json.error_description.split(/\r?\n/)[0]}` : '';
  const kind = status === 429 ? 'throttled' : status >= 500 ? 'transient' : 'auth';
  const retryAfterMs =
    kind === 'throttled' ? parseRetryAfter(response.headers.get('retry-after'), now) : undefined;
  return new TokenRequestError(
    kind,
    `OAuth2:${oauthError}`,
    `token endpoint refused the request${description}`,
    {
      httpStatus: status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    },
  );
}

function requestFailed(
  error: unknown,
  timeout: AbortSignal,
  signal: AbortSignal | undefined,
): TokenRequestError {
  if (error instanceof TokenRequestError) return error;
  if (error instanceof BodyTooLargeError) {
    return new TokenRequestError('protocol', 'ResponseTooLarge', `token answer: ${error.message}`, {
      httpStatus: error.httpStatus,
      limitBytes: error.limitBytes,
    });
  }
  const code = timeout.aborted ? 'TokenTimeout' : signal?.aborted ? 'Aborted' : 'TokenNetworkError';
  return new TokenRequestError('transient', code, `token request failed: ${code}`, { cause: error });
}
