// OAuth2 client credentials for Exchange Online (app-only access with ExchangeImpersonation).
// The token request is never redirected (a followed 307 would re-post the client secret) and its
// answer is read with the same size cap as EWS answers.
import { EwsError } from '../errors.js';
import { DEFAULT_MAX_RESPONSE_BYTES, readCappedText } from '../http/read-body.js';
import { redirectError } from '../http/redirect.js';
import type { AuthProvider } from './types.js';

export const EXCHANGE_ONLINE_SCOPE = 'https://outlook.office365.com/.default';

/** Refresh this long before the token expires (at most half its lifetime). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

export interface OAuth2Options {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  tokenUrl?: string;
  scope?: string;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
  allowInsecureHttp?: boolean;
  /** Cap on the token answer's size; DEFAULT_MAX_RESPONSE_BYTES, like EWS answers. */
  maxResponseBytes?: number;
}

interface CachedToken {
  header: string;
  refreshAt: number;
}

export function defaultTokenUrl(tenantId: string): string {
  return `https://login.microsoftonline.com/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
}

export class OAuth2ClientCredentialsProvider implements AuthProvider {
  readonly scheme = 'Bearer';
  readonly tokenUrl: string;
  readonly #options: OAuth2Options;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  #cached: CachedToken | undefined;
  #pending: Promise<CachedToken> | undefined;
  /** Number of token requests made: lets tests and metrics see the cache working. */
  tokenRequests = 0;

  constructor(options: OAuth2Options) {
    this.#options = options;
    this.tokenUrl = options.tokenUrl ?? defaultTokenUrl(options.tenantId);
    const url = new URL(this.tokenUrl);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowInsecureHttp)) {
      throw new EwsError('permanent', 'InsecureTokenUrl', `token endpoint must use https: ${url.origin}`);
    }
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? Date.now;
  }

  async authorization(signal?: AbortSignal): Promise<string> {
    const cached = this.#cached;
    if (cached !== undefined && this.#now() < cached.refreshAt) return cached.header;
    // One request in flight per provider: concurrent calls share it.
    this.#pending ??= this.#requestToken(signal).finally(() => {
      this.#pending = undefined;
    });
    return (await this.#pending).header;
  }

  rejected(authorization: string): boolean {
    // Drop the token unless a concurrent call already replaced it; either way a retry gets a fresh one.
    if (this.#cached?.header === authorization) this.#cached = undefined;
    return true;
  }

  async #requestToken(signal?: AbortSignal): Promise<CachedToken> {
    const { clientId, clientSecret, scope = EXCHANGE_ONLINE_SCOPE, timeoutMs = 30_000 } = this.#options;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    this.tokenRequests++;
    let response: Response;
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
    } catch (error) {
      throw requestFailed(error, timeout, signal);
    }
    const redirect = redirectError('token request', response, this.tokenUrl, 'auth');
    if (redirect !== undefined) {
      await response.body?.cancel().catch(() => undefined);
      throw redirect;
    }
    let text: string;
    try {
      text = await readCappedText(response, this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
    } catch (error) {
      throw error instanceof EwsError ? error : requestFailed(error, timeout, signal);
    }
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // Non-JSON answers are judged by status below.
    }
    if (!response.ok) {
      const oauthError = typeof json.error === 'string' ? json.error : `HTTP_${response.status}`;
      // error_description names the problem (AADSTS codes) and never echoes the secret.
      const description =
        typeof json.error_description === 'string' ? `: ${json.error_description.split('\n')[0]}` : '';
      const kind =
        response.status === 429 ? 'throttled' : response.status >= 500 ? 'transient' : ('auth' as const);
      throw new EwsError(kind, `OAuth2:${oauthError}`, `token endpoint refused the request${description}`, {
        httpStatus: response.status,
      });
    }
    const token = json.access_token;
    const expiresIn = Number(json.expires_in);
    if (typeof token !== 'string' || token === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new EwsError(
        'auth',
        'OAuth2:invalid_response',
        'token endpoint answer has no usable access_token',
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

function requestFailed(error: unknown, timeout: AbortSignal, signal: AbortSignal | undefined): EwsError {
  const code = timeout.aborted ? 'TokenTimeout' : signal?.aborted ? 'Aborted' : 'TokenNetworkError';
  return new EwsError('transient', code, `token request failed: ${code}`, { cause: error });
}
