// EwsClient over real HTTP against a loopback server: headers, auth, throttling, timeouts, caps.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OAuth2ClientCredentialsProvider } from '../../lib/ews/auth/oauth2.js';
import type { EwsClientOptions } from '../../lib/ews/client.js';
import { fixture } from '../../lib/ews/testing/fixtures.js';
import { parseXml } from '../../lib/ews/xml/parse-xml.js';
import { clientFor, MAILBOX, rejection, SYNC } from './client-fixtures.js';
import { type LocalServer, startLocalServer } from './local-server.js';

let server: LocalServer;
beforeAll(async () => {
  server = await startLocalServer();
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
});

const PAGE = fixture('msdocs-howto-sfi-response-incremental-create-update-delete-readflag.xml');

const client = (options: Partial<EwsClientOptions> = {}) => clientFor(server.url, options);

function ewsOnly() {
  return server.requests.filter((r) => r.url.startsWith('/EWS'));
}

describe('EwsClient', () => {
  it('sends the SOAP request with anchor, request id, impersonation and version, and parses the page', async () => {
    server.handle((_req, res) => {
      res.setHeader('content-type', 'text/xml; charset=utf-8');
      res.end(PAGE);
    });
    const page = await client({ serverVersion: 'Exchange2016' }).syncFolderItems(
      { ...SYNC, syncState: 'S0' },
      { mailbox: MAILBOX, requestId: 'req-1' },
    );
    expect(page.changes.map((c) => c.kind)).toEqual([
      'update',
      'create',
      'create',
      'readFlagChange',
      'delete',
    ]);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/EWS/Exchange.asmx' });
    expect(request!.headers).toMatchObject({
      'x-anchormailbox': MAILBOX,
      'client-request-id': 'req-1',
      'return-client-request-id': 'true',
      'content-type': 'text/xml; charset=utf-8',
      soapaction: '"http://schemas.microsoft.com/exchange/services/2006/messages/SyncFolderItems"',
      authorization: `Basic ${Buffer.from('svc:pw').toString('base64')}`,
    });
    const envelope = parseXml(request!.body);
    const header = envelope.child('Header')!;
    expect(header.child('RequestServerVersion')!.attr('Version')).toBe('Exchange2016');
    expect(header.child('ExchangeImpersonation')!.child('ConnectingSID')!.childText('SmtpAddress')).toBe(
      MAILBOX,
    );
    expect(envelope.child('Body')!.children![0]!.childText('SyncState')).toBe('S0');
  });

  it('generates a client-request-id, can skip impersonation, and keeps the connection alive', async () => {
    server.handle((_req, res) => res.end(fixture('garethp-o365-sfi-response-empty-changes-selfclosing.xml')));
    const before = server.connections();
    const c = client();
    await c.syncFolderItems(SYNC, { mailbox: MAILBOX, impersonate: false });
    await c.syncFolderItems(SYNC, { mailbox: MAILBOX, impersonate: false });
    const [first, second] = server.requests;
    expect(first!.headers['client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second!.headers['client-request-id']).not.toBe(first!.headers['client-request-id']);
    expect(parseXml(first!.body).child('Header')!.child('ExchangeImpersonation')).toBeUndefined();
    // Keep-alive: the pool may pick any idle connection, but two sequential calls open at most one.
    expect(server.connections() - before).toBeLessThanOrEqual(1);
  });

  it('refuses plain http unless allowed', () => {
    expect(() => client({ allowInsecureHttp: false })).toThrow(/must use https/);
  });

  it('GetFolder and GetItem round trips', async () => {
    server.handle((_req, res) => res.end(fixture('evolution-ex2010sp2-getfolder-response-folders.xml')));
    const folders = await client().getFolder(
      { shape: { baseShape: 'IdOnly' }, folders: [{ distinguishedId: 'inbox' }] },
      { mailbox: MAILBOX },
    );
    expect(folders).toMatchObject([{ ok: true, folderType: 'Folder' }]);
    server.handle((_req, res) =>
      res.end(fixture('akonadiews-getitem-response-batch9-two-erroritemnotfound.xml')),
    );
    const items = await client().getItem(
      { shape: { baseShape: 'IdOnly' }, itemIds: [{ id: 'a' }] },
      { mailbox: MAILBOX },
    );
    expect(items.filter((i) => !i.ok)).toHaveLength(2);
  });
});

describe('EwsClient errors', () => {
  it('maps a SOAP fault with HTTP 500 (ErrorServerBusy) to throttled with the back-off', async () => {
    server.handle((_req, res) => {
      res.writeHead(500, 'ErrorServerBusy', { 'content-type': 'text/xml' });
      res.end(fixture('commcentral-mock-soapfault-errorserverbusy-backoff-100.xml'));
    });
    const error = await rejection(client().syncFolderItems(SYNC, { mailbox: MAILBOX }));
    expect(error).toMatchObject({
      kind: 'throttled',
      code: 'ErrorServerBusy',
      backOffMs: 100,
      httpStatus: 500,
    });
  });

  it('maps a response-message ErrorServerBusy (HTTP 200) to throttled', async () => {
    server.handle((_req, res) =>
      res.end(fixture('ewsrs-sfi-response-error-serverbusy-backoff-messagexml.xml')),
    );
    const error = await rejection(client().syncFolderItems(SYNC, { mailbox: MAILBOX }));
    expect(error).toMatchObject({
      kind: 'throttled',
      code: 'ErrorServerBusy',
      backOffMs: 5000,
      httpStatus: 200,
    });
  });

  it.each([
    [503, { 'retry-after': '7' }, 7000],
    [429, { 'retry-after': '120' }, 120_000],
    [503, {}, undefined],
  ])('maps HTTP %s with %j to throttled', async (status, headers, backOffMs) => {
    server.handle((_req, res) => {
      res.writeHead(status, headers);
      res.end('<html>Service Unavailable</html>');
    });
    const error = await rejection(client().syncFolderItems(SYNC, { mailbox: MAILBOX }));
    expect(error).toMatchObject({ kind: 'throttled', code: `HTTP_${status}`, httpStatus: status, backOffMs });
  });

  it('reads Retry-After given as an HTTP date', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    server.handle((_req, res) => {
      res.writeHead(503, { 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' });
      res.end();
    });
    const error = await rejection(client({ now: () => now }).syncFolderItems(SYNC, { mailbox: MAILBOX }));
    expect(error.backOffMs).toBe(30_000);
  });

  it('maps HTTP 500 without a SOAP body and 502 to transient', async () => {
    server.handle((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<html><body>Runtime Error</body></html>');
    });
    expect(await rejection(client().syncFolderItems(SYNC, { mailbox: MAILBOX }))).toMatchObject({
      kind: 'transient',
      code: 'HTTP_500',
    });
    server.handle((_req, res) => {
      res.writeHead(502);
      res.end();
    });
    expect(await rejection(client().syncFolderItems(SYNC, { mailbox: MAILBOX }))).toMatchObject({
      kind: 'transient',
      code: 'HTTP_502',
    });
  });

  it('maps the Exchange Online EWS block (403 with X-EWS-Policy-Reason) to permanent, pointing to Graph', async () => {
    server.handle((_req, res) => {
      res.writeHead(403, { 'x-ews-policy-reason': 'EWS is blocked by policy for this user or tenant' });
      res.end();
    });
    const error = await rejection(client().syncFolderItems(SYNC, { mailbox: MAILBOX }));
    expect(error).toMatchObject({ kind: 'permanent', code: 'EwsBlockedByPolicy', httpStatus: 403 });
    expect(error.message).toContain('EWS is blocked by policy');
    expect(error.message).toContain('mailbox migrate --to graph');
    // A 403 without the header stays an auth problem (a permission the account lacks).
    server.handle((_req, res) => {
      res.writeHead(403);
      res.end();
    });
    expect(await rejection(client().syncFolderItems(SYNC, { mailbox: MAILBOX }))).toMatchObject({
      kind: 'auth',
      code: 'HTTP_403',
    });
  });

  it('maps a truncated 200 answer to a protocol error', async () => {
    server.handle((_req, res) => res.end(PAGE.slice(0, PAGE.length / 2)));
    expect(await rejection(client().syncFolderItems(SYNC, { mailbox: MAILBOX }))).toMatchObject({
      kind: 'protocol',
    });
  });

  it('maps a connection reset to transient', async () => {
    server.handle((_req, res) => res.socket?.destroy());
    expect(await rejection(client().syncFolderItems(SYNC, { mailbox: MAILBOX }))).toMatchObject({
      kind: 'transient',
      code: 'NetworkError',
    });
  });

  it('times out when the server does not answer', async () => {
    server.handle(() => {
      // Never answers.
    });
    const error = await rejection(client({ timeoutMs: 200 }).syncFolderItems(SYNC, { mailbox: MAILBOX }));
    expect(error).toMatchObject({ kind: 'transient', code: 'Timeout' });
  });

  it('times out while the body is still streaming', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write(PAGE.slice(0, 100));
    });
    const error = await rejection(client({ timeoutMs: 300 }).syncFolderItems(SYNC, { mailbox: MAILBOX }));
    expect(error).toMatchObject({ kind: 'transient', code: 'Timeout' });
  });

  it("stops when the caller's signal aborts", async () => {
    const controller = new AbortController();
    server.handle(() => controller.abort());
    const error = await rejection(
      client().syncFolderItems(SYNC, { mailbox: MAILBOX, signal: controller.signal }),
    );
    expect(error).toMatchObject({ kind: 'transient', code: 'Aborted' });
  });

  it('refuses a declared Content-Length over the cap without reading the body', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-length': String(PAGE.length) });
      res.end(PAGE);
    });
    const error = await rejection(
      client({ maxResponseBytes: 1000 }).syncFolderItems(SYNC, { mailbox: MAILBOX }),
    );
    expect(error).toMatchObject({ kind: 'protocol', code: 'ResponseTooLarge', httpStatus: 200 });
  });

  it('aborts a chunked response as soon as it passes the cap', async () => {
    let written = 0;
    const closed = new Promise<number>((resolve) => {
      server.handle((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/xml' });
        const chunk = `<a>${'x'.repeat(16 * 1024)}</a>`;
        const pump = () => {
          // Keeps writing (up to 64 MB) until the client goes away.
          while (written < 64 * 1024 * 1024 && !res.destroyed) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
        };
        res.on('close', () => resolve(written));
        pump();
      });
    });
    const error = await rejection(
      client({ maxResponseBytes: 256 * 1024 }).syncFolderItems(SYNC, { mailbox: MAILBOX }),
    );
    expect(error).toMatchObject({ kind: 'protocol', code: 'ResponseTooLarge' });
    expect(await closed).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('EwsClient authentication', () => {
  function ntlm401() {
    // The real Exchange 2010 answer (evolution-ex2010sp2-http401-ntlm-negotiate-headers.http).
    const lines = fixture('evolution-ex2010sp2-http401-ntlm-negotiate-headers.http').split(/\r?\n/);
    const headers = lines
      .slice(1)
      .filter((l) => l.includes(':'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()] as const);
    return { status: Number(lines[0]!.split(' ')[1]), headers };
  }

  it('reports a Basic 401 with what the server offered, without retrying or leaking the challenge', async () => {
    const { status, headers } = ntlm401();
    server.handle((_req, res) => {
      for (const name of new Set(headers.map(([n]) => n))) {
        res.setHeader(
          name,
          headers.filter(([n]) => n === name).map(([, v]) => v),
        );
      }
      res.statusCode = status;
      res.end();
    });
    const error = await rejection(client().syncFolderItems(SYNC, { mailbox: MAILBOX }));
    expect(error).toMatchObject({ kind: 'auth', code: 'HTTP_401', httpStatus: 401 });
    expect(error.message).toContain('WWW-Authenticate: NTLM, Negotiate');
    expect(error.message).not.toContain('TlRMTVNT');
    expect(ewsOnly()).toHaveLength(1);
  });

  it('reports the IIS 6 HTML 401 page as an auth error', async () => {
    server.handle((_req, res) => {
      res.writeHead(401, { 'content-type': 'text/html', 'www-authenticate': 'Negotiate' });
      res.end(fixture('evolution-ex2007sp1-http401-ntlm-html-body.html'));
    });
    expect(await rejection(client().syncFolderItems(SYNC, { mailbox: MAILBOX }))).toMatchObject({
      kind: 'auth',
    });
  });

  function oauthServer(options: { rejectTokens?: Set<string>; expiresIn?: number } = {}) {
    let issued = 0;
    server.handle((req, res) => {
      if (req.url === '/tenant/token') {
        issued++;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            token_type: 'Bearer',
            access_token: `tok${issued}`,
            expires_in: options.expiresIn ?? 3600,
          }),
        );
        return;
      }
      const token = String(req.headers.authorization).replace('Bearer ', '');
      if (options.rejectTokens?.has(token) || options.rejectTokens?.has('*')) {
        res.writeHead(401, {
          'www-authenticate':
            'Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="x", token_types="app_asserted_user_v1 service_asserted_app_v1", error="invalid_token", Basic Realm=""',
          'x-ms-diagnostics':
            '2000003;reason="The audience claim value is invalid";error_category="invalid_resource"',
        });
        res.end();
        return;
      }
      res.end(fixture('garethp-o365-sfi-response-empty-changes-selfclosing.xml'));
    });
  }

  function oauth(now: () => number = Date.now) {
    return new OAuth2ClientCredentialsProvider({
      tenantId: 'contoso',
      clientId: 'app',
      clientSecret: 's3cret',
      tokenUrl: `${server.url}/tenant/token`,
      allowInsecureHttp: true,
      now,
    });
  }

  it('gets a client-credentials token for the Exchange Online scope and caches it until shortly before expiry', async () => {
    oauthServer({ expiresIn: 3600 });
    let now = 1_000_000;
    const auth = oauth(() => now);
    const c = client({ auth });
    await c.syncFolderItems(SYNC, { mailbox: MAILBOX });
    await c.syncFolderItems(SYNC, { mailbox: MAILBOX });
    const tokenRequest = server.requests.find((r) => r.url === '/tenant/token')!;
    expect(Object.fromEntries(new URLSearchParams(tokenRequest.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'app',
      client_secret: 's3cret',
      scope: 'https://outlook.office365.com/.default',
    });
    expect(auth.tokenRequests).toBe(1);
    expect(ewsOnly().map((r) => r.headers.authorization)).toEqual(['Bearer tok1', 'Bearer tok1']);
    now += 3600_000 - 6 * 60_000; // still more than 5 minutes left
    await c.syncFolderItems(SYNC, { mailbox: MAILBOX });
    expect(auth.tokenRequests).toBe(1);
    now += 2 * 60_000; // inside the refresh margin
    await c.syncFolderItems(SYNC, { mailbox: MAILBOX });
    expect(auth.tokenRequests).toBe(2);
    expect(ewsOnly().at(-1)!.headers.authorization).toBe('Bearer tok2');
  });

  it('shares one token request among concurrent calls', async () => {
    oauthServer();
    const auth = oauth();
    const c = client({ auth });
    await Promise.all([1, 2, 3].map(() => c.syncFolderItems(SYNC, { mailbox: MAILBOX })));
    expect(auth.tokenRequests).toBe(1);
  });

  it('refreshes the token once on 401 and succeeds', async () => {
    oauthServer({ rejectTokens: new Set(['tok1']) });
    const auth = oauth();
    const page = await client({ auth }).syncFolderItems(SYNC, { mailbox: MAILBOX });
    expect(page.changes).toEqual([]);
    expect(ewsOnly().map((r) => r.headers.authorization)).toEqual(['Bearer tok1', 'Bearer tok2']);
    expect(auth.tokenRequests).toBe(2);
  });

  it('gives up after one refresh and says what the server said', async () => {
    oauthServer({ rejectTokens: new Set(['*']) });
    const auth = oauth();
    const error = await rejection(client({ auth }).syncFolderItems(SYNC, { mailbox: MAILBOX }));
    expect(error).toMatchObject({ kind: 'auth', code: 'HTTP_401' });
    expect(error.message).toContain('Bearer (error="invalid_token"), Basic');
    expect(error.message).toContain('x-ms-diagnostics: 2000003;reason="The audience claim value is invalid"');
    expect(ewsOnly()).toHaveLength(2);
    expect(auth.tokenRequests).toBe(2);
  });

  it('reports a refused client secret as auth without echoing it', async () => {
    server.handle((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: 'invalid_client',
          error_description: 'AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1',
        }),
      );
    });
    const error = await rejection(client({ auth: oauth() }).syncFolderItems(SYNC, { mailbox: MAILBOX }));
    expect(error).toMatchObject({ kind: 'auth', code: 'OAuth2:invalid_client', httpStatus: 401 });
    expect(error.message).toContain('AADSTS7000215');
    expect(error.message).not.toContain('s3cret');
    expect(ewsOnly()).toHaveLength(0);
  });

  it('refuses an http token endpoint unless allowed', () => {
    expect(
      () =>
        new OAuth2ClientCredentialsProvider({
          tenantId: 't',
          clientId: 'c',
          clientSecret: 's',
          tokenUrl: 'http://x/token',
        }),
    ).toThrow(/must use https/);
    expect(
      new OAuth2ClientCredentialsProvider({ tenantId: 'my tenant', clientId: 'c', clientSecret: 's' })
        .tokenUrl,
    ).toBe('https://login.microsoftonline.com/my%20tenant/oauth2/v2.0/token');
  });
});
