// The EWS wrapper of lib/auth's client-credentials provider: the Exchange Online scope by default,
// and token failures as the EwsError subclasses EWS callers expect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  json,
  type LoopbackServer,
  rejection,
  startLoopbackServer,
} from '../../http/testing/loopback-server.js';
import { EwsError } from '../errors.js';
import { ResponseTooLargeError } from '../http/read-body.js';
import { EwsRedirectError } from '../http/redirect.js';
import { EXCHANGE_ONLINE_SCOPE, OAuth2ClientCredentialsProvider, type OAuth2Options } from './oauth2.js';

let server: LoopbackServer;
beforeAll(async () => {
  server = await startLoopbackServer();
});
afterAll(() => server.close());

const oauth = (options: Partial<OAuth2Options> = {}) =>
  new OAuth2ClientCredentialsProvider({
    tenantId: 't',
    clientId: 'c',
    clientSecret: 's3cret',
    tokenUrl: `${server.url}/token`,
    allowInsecureHttp: true,
    ...options,
  });

describe('OAuth2ClientCredentialsProvider (EWS)', () => {
  it('asks for the Exchange Online scope and drops a rejected token', async () => {
    let issued = 0;
    server.handle((_req, res) => json(res, 200, { access_token: `tok${++issued}`, expires_in: 3600 }));
    const auth = oauth();
    const first = await auth.authorization();
    expect(new URLSearchParams(server.requests.at(-1)!.body).get('scope')).toBe(EXCHANGE_ONLINE_SCOPE);
    expect(auth.rejected(first)).toBe(true);
    expect(await auth.authorization()).toBe('Bearer tok2');
    expect(auth.tokenRequests).toBe(2);
  });

  it('wraps token failures into EwsError subclasses', async () => {
    server.handle((_req, res) => json(res, 429, {}, { 'retry-after': '3' }));
    const throttled = await rejection(oauth().authorization());
    expect(throttled).toBeInstanceOf(EwsError);
    expect(throttled).toMatchObject({
      kind: 'throttled',
      code: 'OAuth2:HTTP_429',
      httpStatus: 429,
      backOffMs: 3000,
    });

    server.handle((_req, res) => {
      res.writeHead(302, { location: 'https://elsewhere.example/token' });
      res.end();
    });
    const redirect = await rejection(oauth().authorization());
    expect(redirect).toBeInstanceOf(EwsRedirectError);
    expect(redirect).toMatchObject({
      kind: 'auth',
      code: 'Redirect',
      locationOrigin: 'https://elsewhere.example',
    });

    server.handle((_req, res) => json(res, 200, { access_token: 'x'.repeat(200), expires_in: 1 }));
    expect(await rejection(oauth({ maxResponseBytes: 100 }).authorization())).toBeInstanceOf(
      ResponseTooLargeError,
    );
  });

  it('refuses an http token endpoint with an EwsError', () => {
    expect(() => oauth({ allowInsecureHttp: false })).toThrow(EwsError);
  });
});
