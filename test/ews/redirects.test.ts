// Redirects are never followed, by EWS calls or the token request, over real loopback HTTP: a
// second server stands for wherever a Location points and must never hear from us.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OAuth2ClientCredentialsProvider } from '../../lib/ews/auth/oauth2.js';
import type { EwsClientOptions } from '../../lib/ews/client.js';
import { fixture } from '../../lib/ews/testing/fixtures.js';
import { clientFor, MAILBOX, rejection, SYNC } from './client-fixtures.js';
import { type LocalServer, startLocalServer } from './local-server.js';

let server: LocalServer;
let target: LocalServer;
beforeAll(async () => {
  [server, target] = await Promise.all([startLocalServer(), startLocalServer()]);
  target.handle((_req, res) => res.end(fixture('garethp-o365-sfi-response-empty-changes-selfclosing.xml')));
});
afterAll(() => Promise.all([server.close(), target.close()]));
afterEach(() => {
  server.requests.length = 0;
  target.requests.length = 0;
});

const client = (options: Partial<EwsClientOptions> = {}) => clientFor(server.url, options);

function redirectTo(location: string, status = 307) {
  server.handle((_req, res) => {
    res.writeHead(status, { location, 'content-type': 'text/html' });
    res.end('<html>Object moved</html>');
  });
}

describe('EwsClient and redirects', () => {
  it.each([301, 302, 303, 307, 308])(
    'never follows a %s: nothing re-sent, the target host named, the query left out',
    async (status) => {
      redirectTo(`${target.url}/EWS/Exchange.asmx?token=s3cret-in-query`, status);
      const error = await rejection(client().syncFolderItems(SYNC, { mailbox: MAILBOX }));
      expect(target.requests).toHaveLength(0);
      expect(server.requests).toHaveLength(1);
      expect(error).toMatchObject({
        name: 'EwsRedirectError',
        kind: 'permanent',
        code: 'Redirect',
        httpStatus: status,
        locationOrigin: target.url,
      });
      expect(error.message).toContain(target.url.replace('http://', ''));
      expect(error.message).not.toContain('s3cret');
    },
  );

  it('does not re-send the body, anchor or Authorization to another path of the same origin', async () => {
    redirectTo('/elsewhere/Exchange.asmx');
    const error = await rejection(client().syncFolderItems(SYNC, { mailbox: MAILBOX }));
    expect(server.requests.map((r) => r.url)).toEqual(['/EWS/Exchange.asmx']);
    expect(error).toMatchObject({ kind: 'permanent', code: 'Redirect', locationOrigin: server.url });
  });

  it('refuses an https to http downgrade even though plain http is not allowed', async () => {
    // The endpoint is https; a fetch wrapper carries it to the loopback server unchanged otherwise.
    const fake = 'https://ews.contoso.test';
    const c = client({
      endpoint: `${fake}/EWS/Exchange.asmx`,
      allowInsecureHttp: false,
      fetch: (input, init) => fetch(String(input).replace(fake, server.url), init),
    });
    redirectTo(`${target.url}/EWS/Exchange.asmx`);
    const error = await rejection(c.syncFolderItems(SYNC, { mailbox: MAILBOX }));
    expect(target.requests).toHaveLength(0);
    expect(error).toMatchObject({ kind: 'permanent', code: 'Redirect' });
    expect(error.message).toContain('https to http downgrade');
  });

  it.each([
    '/owa/auth/errorfe.aspx?httpCode=500&msg=1234',
    'https://mail.contoso.com/owa/auth/errorFE.aspx?httpCode=500',
    '/ews/genericerrorpage.htm?aspxerrorpath=/ews/exchange.asmx',
  ])("reads a redirect to Exchange's error page (%s) as a transient outage", async (location) => {
    redirectTo(location, 302);
    const error = await rejection(client().syncFolderItems(SYNC, { mailbox: MAILBOX }));
    expect(error).toMatchObject({ kind: 'transient', code: 'RedirectToErrorPage', httpStatus: 302 });
    expect(error.message).not.toContain('httpCode');
    expect(server.requests).toHaveLength(1);
  });

  it('refuses an answer the HTTP client followed despite being told not to', async () => {
    target.handle((_req, res) => res.end(fixture('garethp-o365-sfi-response-empty-changes-selfclosing.xml')));
    redirectTo(`${target.url}/EWS/Exchange.asmx`);
    const following: typeof fetch = (input, init) => fetch(input, { ...init, redirect: 'follow' });
    const error = await rejection(client({ fetch: following }).syncFolderItems(SYNC, { mailbox: MAILBOX }));
    expect(error).toMatchObject({ kind: 'permanent', code: 'Redirect', locationOrigin: target.url });
  });

  it('refuses an answer from another URL even when the HTTP client does not say it followed', async () => {
    // A wrapper that quietly fetches elsewhere: the answer's URL is not the endpoint.
    const elsewhere: typeof fetch = (_input, init) => fetch(`${target.url}/EWS/Exchange.asmx`, init);
    const error = await rejection(client({ fetch: elsewhere }).syncFolderItems(SYNC, { mailbox: MAILBOX }));
    expect(error).toMatchObject({ kind: 'permanent', code: 'Redirect', locationOrigin: target.url });
    expect(error.message).toContain('followed a redirect');
  });
});

describe('the token request and redirects', () => {
  function oauth(options: { maxResponseBytes?: number } = {}) {
    return new OAuth2ClientCredentialsProvider({
      tenantId: 'contoso',
      clientId: 'app',
      clientSecret: 's3cret',
      tokenUrl: `${server.url}/tenant/token`,
      allowInsecureHttp: true,
      ...options,
    });
  }

  it('never re-posts the client secret on a 307', async () => {
    redirectTo(`${target.url}/tenant/token?x=1`);
    const error = await rejection(client({ auth: oauth() }).syncFolderItems(SYNC, { mailbox: MAILBOX }));
    expect(target.requests).toHaveLength(0);
    expect(server.requests.map((r) => r.url)).toEqual(['/tenant/token']);
    expect(error).toMatchObject({
      name: 'EwsRedirectError',
      kind: 'auth',
      code: 'Redirect',
      httpStatus: 307,
    });
    expect(error.message).toContain(target.url.replace('http://', ''));
    expect(error.message).not.toContain('s3cret');
  });

  it('reads token answers with the EWS answer cap', async () => {
    server.handle((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ access_token: 'tok', expires_in: 3600, padding: 'x'.repeat(8000) }));
    });
    const error = await rejection(
      client({ auth: oauth({ maxResponseBytes: 4096 }) }).syncFolderItems(SYNC, { mailbox: MAILBOX }),
    );
    expect(error).toMatchObject({ kind: 'protocol', code: 'ResponseTooLarge', limitBytes: 4096 });
    expect(server.requests.filter((r) => r.url.startsWith('/EWS'))).toHaveLength(0);
  });

  it('caps token answers at the default EWS cap when none is given', async () => {
    server.handle((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ access_token: 'tok', expires_in: 3600, padding: 'x'.repeat(9 * 1024 * 1024) }),
      );
    });
    const error = await rejection(client({ auth: oauth() }).syncFolderItems(SYNC, { mailbox: MAILBOX }));
    expect(error).toMatchObject({ kind: 'protocol', code: 'ResponseTooLarge', limitBytes: 8 * 1024 * 1024 });
    // The token answer was refused, not the EWS answer this server would give next.
    expect(server.requests.filter((r) => r.url.startsWith('/EWS'))).toHaveLength(0);
  });
});
