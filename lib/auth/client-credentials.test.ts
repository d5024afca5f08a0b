// The shared client-credentials provider over real loopback HTTP: scope as given, cache and
// refresh, one shared request, invalidate, redirects, caps, https, and no secret in errors.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  json,
  type LoopbackServer,
  rejection,
  startLoopbackServer,
} from '../http/testing/loopback-server.js';
import { ClientCredentialsTokenProvider, type ClientCredentialsOptions } from './client-credentials.js';
import { TokenRequestError } from './token-request-error.js';

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
let server: LoopbackServer;
let target: LoopbackServer;
beforeAll(async () => {
  [server, target] = await Promise.all([startLoopbackServer(), startLoopbackServer()]);
});
afterAll(() => Promise.all([server.close(), target.close()]));
afterEach(() => {
  server.requests.length = 0;
  target.requests.length = 0;
});

function provider(options: Partial<ClientCredentialsOptions> = {}) {
  return new ClientCredentialsTokenProvider({
    tenantId: 'contoso',
    clientId: 'app',
    clientSecret: 's3cret',
    scope: GRAPH_SCOPE,
    tokenUrl: `${server.url}/tenant/token`,
    allowInsecureHttp: true,
    ...options,
  });
}

/** Tokens tok1, tok2, ... valid for `expiresIn` seconds. */
function issueTokens(expiresIn = 3600, delayMs = 0) {
  let issued = 0;
  server.handle((_req, res) => {
    issued++;
    setTimeout(() => json(res, 200, { access_token: `tok${issued}`, expires_in: expiresIn }), delayMs);
  });
}

describe('ClientCredentialsTokenProvider', () => {
  it('posts the client-credentials grant with the scope it was given', async () => {
    issueTokens();
    expect(await provider().authorization()).toBe('Bearer tok1');
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'app',
      client_secret: 's3cret',
      scope: GRAPH_SCOPE,
    });
  });

  it('has no default scope', () => {
    expect(() => provider({ scope: ' ' })).toThrow(TokenRequestError);
  });

  it('caches the token until shortly before it expires', async () => {
    issueTokens(3600);
    let now = 1_000_000;
    const auth = provider({ now: () => now });
    await auth.authorization();
    now += 3600_000 - 6 * 60_000; // more than the 5-minute margin left
    expect(await auth.authorization()).toBe('Bearer tok1');
    now += 2 * 60_000; // inside the margin
    expect(await auth.authorization()).toBe('Bearer tok2');
    expect(auth.tokenRequests).toBe(2);
  });

  it('refreshes a short-lived token at half its lifetime', async () => {
    issueTokens(60);
    let now = 0;
    const auth = provider({ now: () => now });
    await auth.authorization();
    now = 29_000;
    expect(await auth.authorization()).toBe('Bearer tok1');
    now = 30_000;
    expect(await auth.authorization()).toBe('Bearer tok2');
  });

  it('shares one pending request among concurrent callers', async () => {
    issueTokens(3600, 50);
    const auth = provider();
    const headers = await Promise.all([1, 2, 3].map(() => auth.authorization()));
    expect(headers).toEqual(['Bearer tok1', 'Bearer tok1', 'Bearer tok1']);
    expect(auth.tokenRequests).toBe(1);
  });

  it('invalidate() makes the next call fetch a new token; a stale rejection keeps a newer one', async () => {
    issueTokens();
    const auth = provider();
    const first = await auth.authorization();
    auth.invalidate();
    const second = await auth.authorization();
    expect(second).toBe('Bearer tok2');
    auth.invalidate(first); // a concurrent 401 for the old token: tok2 stays
    expect(await auth.authorization()).toBe('Bearer tok2');
    auth.invalidate(second);
    expect(await auth.authorization()).toBe('Bearer tok3');
  });

  it('never follows a redirect: the secret is not re-posted', async () => {
    server.handle((_req, res) => {
      res.writeHead(307, { location: `${target.url}/steal?x=1` });
      res.end();
    });
    const error = await rejection(provider().authorization());
    expect(target.requests).toHaveLength(0);
    expect(error).toBeInstanceOf(TokenRequestError);
    expect(error).toMatchObject({
      kind: 'auth',
      code: 'Redirect',
      httpStatus: 307,
      locationOrigin: target.url,
    });
    expect(error.message).not.toContain('s3cret');
  });

  it('reads the answer with a size cap', async () => {
    server.handle((_req, res) =>
      json(res, 200, { access_token: 't', expires_in: 3600, pad: 'x'.repeat(5000) }),
    );
    const error = await rejection(provider({ maxResponseBytes: 4096 }).authorization());
    expect(error).toMatchObject({ kind: 'protocol', code: 'ResponseTooLarge', limitBytes: 4096 });
  });

  it.each([
    [
      401,
      {
        error: 'invalid_client',
        error_description: 'AADSTS7000215: Invalid client secret provided.\r\nTrace',
      },
      'auth',
      'OAuth2:invalid_client',
    ],
    [
      400,
      { error: 'invalid_scope', error_description: 'AADSTS70011: The provided value for scope s3cret' },
      'auth',
      'OAuth2:invalid_scope',
    ],
    [429, {}, 'throttled', 'OAuth2:HTTP_429'],
    [503, 'Service Unavailable', 'transient', 'OAuth2:HTTP_503'],
    [200, { token_type: 'Bearer' }, 'auth', 'OAuth2:invalid_response'],
  ] as const)('classifies a %s answer as %s', async (status, body, kind, code) => {
    server.handle((_req, res) => json(res, status, body, status === 429 ? { 'retry-after': '12' } : {}));
    const error = await rejection(provider({ clientSecret: 'the-Secret-value' }).authorization());
    expect(error).toMatchObject({ kind, code, httpStatus: status });
    if (status === 429) expect(error.retryAfterMs).toBe(12_000);
    expect(error.message).not.toContain('the-Secret-value');
    expect(error.message).not.toContain('Trace');
  });

  it('reports a timeout and a network failure as transient', async () => {
    server.handle(() => undefined); // never answers
    expect(await rejection(provider({ timeoutMs: 100 }).authorization())).toMatchObject({
      kind: 'transient',
      code: 'TokenTimeout',
    });
    const closed = await startLoopbackServer();
    await closed.close();
    expect(await rejection(provider({ tokenUrl: `${closed.url}/token` }).authorization())).toMatchObject({
      kind: 'transient',
      code: 'TokenNetworkError',
    });
  });

  it('requires https unless allowInsecureHttp, and defaults to the Microsoft identity platform', () => {
    expect(() => provider({ allowInsecureHttp: false })).toThrow(/must use https/);
    const auth = provider({ tokenUrl: undefined, tenantId: 'my tenant' });
    expect(auth.tokenUrl).toBe('https://login.microsoftonline.com/my%20tenant/oauth2/v2.0/token');
  });
});
