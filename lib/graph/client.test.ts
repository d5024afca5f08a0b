// GraphClient over real loopback HTTP: request URLs and headers (initial and follow-up), link
// checks, the 401 refresh, redirects, caps and malformed answers.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClientCredentialsTokenProvider } from '../auth/client-credentials.js';
import {
  json,
  type LoopbackServer,
  rejection,
  startLoopbackServer,
} from '../http/testing/loopback-server.js';
import { DEFAULT_MAX_PAGE_SIZE } from './client.js';
import { CountingAuth, CTX, clientFor, USER } from './testing/client-fixtures.js';
import { rebased, S1_FIRST_PAGE, S2_NEXT_ROUND } from './testing/samples.js';

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

const base = () => `${server.url}/v1.0`;
const PREFER = `odata.maxpagesize=${DEFAULT_MAX_PAGE_SIZE}, IdType="ImmutableId"`;

describe('GraphClient delta requests', () => {
  it('walks a round nextLink -> deltaLink, sending every header on the follow-up too', async () => {
    server.handle((req, res) =>
      json(res, 200, rebased(req.url.includes('skiptoken') ? S2_NEXT_ROUND : S1_FIRST_PAGE, base())),
    );
    const client = clientFor(server);
    const first = await client.messagesDelta(USER, 'AQMk/A+=', ['subject', 'isRead'], undefined, CTX);
    expect(first.nextLink).toContain('$skiptoken=');
    const second = await client.messagesDelta(USER, 'ignored', ['ignored'], first.nextLink, {
      requestId: 'req-2',
    });
    expect(second.deltaLink).toContain('$deltatoken=');
    expect(second.value.map((e) => e.removed)).toEqual(['deleted', undefined]);

    expect(server.requests.map((r) => r.url)).toEqual([
      '/v1.0/users/alice%40contoso.com/mailFolders/AQMk%2FA%2B%3D/messages/delta?$select=subject,isRead',
      "/v1.0/me/mailfolders('AQMkADNkNAAAgEMAAAA')/messages/delta?$skiptoken=GwcBoTmPuoTQWfcsAbkYM",
    ]);
    for (const [i, request] of server.requests.entries()) {
      expect(request.method).toBe('GET');
      expect(request.headers).toMatchObject({
        authorization: 'Bearer token-1',
        prefer: PREFER,
        accept: 'application/json',
        'client-request-id': `req-${i + 1}`,
      });
    }
  });

  it('builds each endpoint from baseUrl', async () => {
    server.handle((_req, res) =>
      json(res, 200, { value: [], '@odata.deltaLink': `${base()}/d?$deltatoken=1` }),
    );
    const client = clientFor(server, { maxPageSize: 250 });
    await client.mailFoldersDelta(USER, undefined, CTX);
    await client.contactFoldersDelta(USER, undefined, CTX);
    await client.contactsDelta(USER, 'cf1', ['displayName', 'emailAddresses'], undefined, CTX);
    await client.messagesDelta(USER, 'f1', [], undefined, CTX);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/v1.0/users/alice%40contoso.com/mailFolders/delta?$select=id,displayName,parentFolderId',
      '/v1.0/users/alice%40contoso.com/contactFolders/delta?$select=id,displayName,parentFolderId',
      '/v1.0/users/alice%40contoso.com/contactFolders/cf1/contacts/delta?$select=displayName,emailAddresses',
      '/v1.0/users/alice%40contoso.com/mailFolders/f1/messages/delta',
    ]);
    expect(
      server.requests.every((r) => r.headers.prefer === 'odata.maxpagesize=250, IdType="ImmutableId"'),
    ).toBe(true);
  });

  it('never sends a stored link that points elsewhere (it would carry the token)', async () => {
    const client = clientFor(server);
    for (const link of [
      `${target.url}/v1.0/users/u/mailFolders/delta?$deltatoken=x`,
      `${server.url}/beta/users/u/mailFolders/delta`,
    ]) {
      const error = await rejection(client.mailFoldersDelta(USER, link, CTX));
      expect(error).toMatchObject({ name: 'GraphError', kind: 'permanent', code: 'ForeignLink' });
    }
    expect(server.requests).toHaveLength(0);
    expect(target.requests).toHaveLength(0);
  });

  it('refuses a page whose link points elsewhere as protocol', async () => {
    server.handle((_req, res) => json(res, 200, { value: [], '@odata.deltaLink': `${target.url}/v1.0/d` }));
    const error = await rejection(clientFor(server).mailFoldersDelta(USER, undefined, CTX));
    expect(error).toMatchObject({ kind: 'protocol', code: 'ForeignLink', requestId: 'req-1' });
  });

  it('refuses a page with more than 10 x maxPageSize entries', async () => {
    const value = Array.from({ length: 21 }, (_, i) => ({ id: `m${i}` }));
    server.handle((_req, res) => json(res, 200, { value, '@odata.deltaLink': `${base()}/d` }));
    const error = await rejection(
      clientFor(server, { maxPageSize: 2 }).messagesDelta(USER, 'f', [], undefined, CTX),
    );
    expect(error).toMatchObject({ kind: 'protocol', code: 'TooManyEntries' });
  });

  it('refuses malformed JSON and malformed shapes as protocol', async () => {
    server.handle((_req, res) => json(res, 200, '{"value": [ {"id": "a"'));
    expect(await rejection(clientFor(server).messagesDelta(USER, 'f', [], undefined, CTX))).toMatchObject({
      kind: 'protocol',
      code: 'MalformedJson',
    });
    server.handle((_req, res) => json(res, 200, { value: [{ id: 'a' }] }));
    expect(await rejection(clientFor(server).messagesDelta(USER, 'f', [], undefined, CTX))).toMatchObject({
      kind: 'protocol',
      code: 'MalformedAnswer',
    });
  });

  it('reads answers with a size cap', async () => {
    server.handle((_req, res) =>
      json(res, 200, { value: [{ id: 'a', pad: 'x'.repeat(5000) }], '@odata.deltaLink': `${base()}/d` }),
    );
    const error = await rejection(
      clientFor(server, { maxResponseBytes: 4096 }).messagesDelta(USER, 'f', [], undefined, CTX),
    );
    expect(error).toMatchObject({ kind: 'protocol', code: 'ResponseTooLarge', status: 200 });
  });

  it('refuses an absurd maxPageSize', () => {
    expect(() => clientFor(server, { maxPageSize: 0 })).toThrow(/maxPageSize/);
    expect(() => clientFor(server, { maxPageSize: 1.5 })).toThrow(/maxPageSize/);
  });
});

describe('GraphClient folders', () => {
  it('gets a folder by well-known name, and undefined when it does not exist', async () => {
    server.handle((req, res) =>
      req.url.includes('/archive')
        ? json(res, 404, {
            error: { code: 'ErrorItemNotFound', message: 'The specified object was not found in the store.' },
          })
        : json(res, 200, {
            id: 'inbox-id',
            displayName: 'Inbox',
            parentFolderId: 'root',
            unreadItemCount: 1,
          }),
    );
    const client = clientFor(server);
    expect(await client.getMailFolder(USER, 'inbox', CTX)).toEqual({
      id: 'inbox-id',
      displayName: 'Inbox',
      parentFolderId: 'root',
    });
    expect(await client.getContactFolder(USER, 'archive', CTX)).toBeUndefined();
    expect(server.requests.map((r) => r.url)).toEqual([
      '/v1.0/users/alice%40contoso.com/mailFolders/inbox?$select=id,displayName,parentFolderId',
      '/v1.0/users/alice%40contoso.com/contactFolders/archive?$select=id,displayName,parentFolderId',
    ]);
    expect(server.requests[0]!.headers.prefer).toBe(PREFER);
  });

  it('throws when the mailbox, not the folder, is missing', async () => {
    server.handle((_req, res) =>
      json(res, 404, { error: { code: 'ErrorInvalidUser', message: "The requested user 'x' is invalid." } }),
    );
    expect(await rejection(clientFor(server).getMailFolder(USER, 'inbox', CTX))).toMatchObject({
      kind: 'permanent',
      code: 'ErrorInvalidUser',
      status: 404,
    });
  });
});

describe('GraphClient and 401', () => {
  it('retries once with a fresh token within the same call', async () => {
    server.handle((req, res) =>
      req.headers.authorization === 'Bearer token-1'
        ? json(res, 401, {
            error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired.' },
          })
        : json(res, 200, { value: [], '@odata.deltaLink': `${base()}/d` }),
    );
    const auth = new CountingAuth();
    const page = await clientFor(server, { auth }).mailFoldersDelta(USER, undefined, CTX);
    expect(page.deltaLink).toBe(`${base()}/d`);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(auth.invalidations).toEqual(['Bearer token-1']);
  });

  it('reports auth after the refreshed token is refused too, without the token', async () => {
    server.handle((req, res) =>
      json(res, 401, {
        error: { code: 'InvalidAuthenticationToken', message: `bad ${req.headers.authorization}` },
      }),
    );
    const error = await rejection(clientFor(server).mailFoldersDelta(USER, undefined, CTX));
    expect(error).toMatchObject({ kind: 'auth', code: 'InvalidAuthenticationToken', status: 401 });
    expect(error.message).not.toContain('token-2');
    expect(server.requests).toHaveLength(2);
  });

  it('refreshes through the shared client-credentials provider', async () => {
    let issued = 0;
    server.handle((req, res) => {
      if (req.url === '/token')
        return json(res, 200, { access_token: `graph-${++issued}`, expires_in: 3600 });
      if (req.headers.authorization === 'Bearer graph-1')
        return json(res, 401, { error: { code: 'InvalidAuthenticationToken' } });
      json(res, 200, { value: [], '@odata.deltaLink': `${base()}/d` });
    });
    const auth = new ClientCredentialsTokenProvider({
      tenantId: 't',
      clientId: 'c',
      clientSecret: 's',
      scope: 'https://graph.microsoft.com/.default',
      tokenUrl: `${server.url}/token`,
      allowInsecureHttp: true,
    });
    await clientFor(server, { auth }).contactFoldersDelta(USER, undefined, CTX);
    expect(server.requests.map((r) => r.url.split('?')[0])).toEqual([
      '/token',
      '/v1.0/users/alice%40contoso.com/contactFolders/delta',
      '/token',
      '/v1.0/users/alice%40contoso.com/contactFolders/delta',
    ]);
    expect(new URLSearchParams(server.requests[0]!.body).get('scope')).toBe(
      'https://graph.microsoft.com/.default',
    );
  });
});

describe('GraphClient and redirects', () => {
  it.each([301, 302, 303, 307, 308])(
    'never follows a %s: permanent, target named without its query',
    async (status) => {
      server.handle((_req, res) => {
        res.writeHead(status, { location: `${target.url}/v1.0/users/u/mailFolders/delta?token=s3cret` });
        res.end();
      });
      const error = await rejection(clientFor(server).mailFoldersDelta(USER, undefined, CTX));
      expect(target.requests).toHaveLength(0);
      expect(error).toMatchObject({ kind: 'permanent', code: `HTTP_${status}`, status });
      expect(error.message).toContain(target.url.replace('http://', ''));
      expect(error.message).not.toContain('s3cret');
    },
  );

  it('refuses an answer the HTTP client followed despite being told not to', async () => {
    server.handle((_req, res) => {
      res.writeHead(302, { location: `${target.url}/v1.0/x` });
      res.end();
    });
    target.handle((_req, res) => json(res, 200, { value: [], '@odata.deltaLink': `${base()}/d` }));
    const following: typeof fetch = (input, init) => fetch(input, { ...init, redirect: 'follow' });
    const error = await rejection(
      clientFor(server, { fetch: following }).mailFoldersDelta(USER, undefined, CTX),
    );
    expect(error).toMatchObject({ kind: 'permanent', code: 'RedirectFollowed' });
  });
});
