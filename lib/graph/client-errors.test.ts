// Each error row of the classification over real loopback HTTP: kind, code, status, Retry-After,
// the messages (permission named on 403, server text cut to 500 characters, never the token), and
// transport failures (network, timeout, abort, token endpoint).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TokenRequestError } from '../auth/token-request-error.js';
import {
  json,
  type LoopbackServer,
  rejection,
  startLoopbackServer,
} from '../http/testing/loopback-server.js';
import { CTX, clientFor, USER } from './testing/client-fixtures.js';
import { CONCURRENCY_BODY, errorBody, RESET_BODY } from './testing/samples.js';

let server: LoopbackServer;
beforeAll(async () => {
  server = await startLoopbackServer();
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
});

const LINK = () => `${server.url}/v1.0/users/u/mailFolders/f/messages/delta?$deltatoken=abc`;

type Row = [
  status: number,
  body: unknown,
  headers: Record<string, string>,
  kind: string,
  code: string,
  retryAfterMs?: number,
];

const ROWS: Row[] = [
  [401, errorBody('InvalidAuthenticationToken'), {}, 'auth', 'InvalidAuthenticationToken'],
  [
    403,
    errorBody('ErrorAccessDenied', 'Access is denied. Check credentials and try again.'),
    {},
    'permanent',
    'ErrorAccessDenied',
  ],
  [404, errorBody('ErrorItemNotFound'), {}, 'folderNotFound', 'ErrorItemNotFound'],
  [404, errorBody('ResourceNotFound'), {}, 'folderNotFound', 'ResourceNotFound'],
  [400, errorBody('ErrorInvalidIdMalformed'), {}, 'folderNotFound', 'ErrorInvalidIdMalformed'],
  [404, errorBody('ErrorInvalidUser'), {}, 'permanent', 'ErrorInvalidUser'],
  [404, errorBody('MailboxNotEnabledForRESTAPI'), {}, 'permanent', 'MailboxNotEnabledForRESTAPI'],
  [
    410,
    RESET_BODY,
    { location: 'https://graph.microsoft.com/v1.0/x?$deltatoken=' },
    'invalidSyncState',
    'SyncStateNotFound',
  ],
  [410, '', {}, 'invalidSyncState', 'HTTP_410'],
  [400, errorBody('syncStateNotFound'), {}, 'invalidSyncState', 'syncStateNotFound'],
  [400, errorBody('resyncRequired'), {}, 'invalidSyncState', 'resyncRequired'],
  [500, errorBody('InvalidSyncStateData'), {}, 'invalidSyncState', 'InvalidSyncStateData'],
  [429, CONCURRENCY_BODY, { 'retry-after': '7' }, 'throttled', 'ApplicationThrottled', 7000],
  [429, errorBody('TooManyRequests'), {}, 'throttled', 'TooManyRequests', undefined],
  [
    503,
    '<html>Service Unavailable</html>',
    { 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' },
    'throttled',
    'HTTP_503',
    30_000,
  ],
  [
    503,
    errorBody('MailboxConcurrency'),
    { 'retry-after': '120' },
    'throttled',
    'MailboxConcurrency',
    120_000,
  ],
  [500, errorBody('InternalServerError'), {}, 'transient', 'InternalServerError'],
  [504, '', {}, 'transient', 'HTTP_504'],
  [400, errorBody('BadRequest', "Unsupported query option '$top'"), {}, 'protocol', 'BadRequest'],
  [204, '', {}, 'protocol', 'HTTP_204'],
];

describe('GraphClient error answers', () => {
  it.each(ROWS)(
    'HTTP %s %j on a delta link -> %s',
    async (status, body, headers, kind, code, retryAfterMs) => {
      server.handle((_req, res) => json(res, status, body, headers));
      const client = clientFor(server, { now: () => Date.parse('2026-01-01T00:00:00Z') });
      const error = await rejection(client.messagesDelta(USER, 'f', [], LINK(), CTX));
      expect(error).toMatchObject({ name: 'GraphError', kind, code, status, requestId: 'req-1' });
      expect(error.retryAfterMs).toBe(retryAfterMs);
      expect(error.message).toContain(`HTTP ${status} ${code}`);
      // 401 is retried once with a fresh token; nothing else is retried.
      expect(server.requests).toHaveLength(status === 401 ? 2 : 1);
    },
  );

  it('keeps the inner code of a reset', async () => {
    server.handle((_req, res) => json(res, 410, RESET_BODY));
    const error = await rejection(clientFor(server).messagesDelta(USER, 'f', [], LINK(), CTX));
    expect(error).toMatchObject({ kind: 'invalidSyncState', innerCode: 'SyncStateInvalid' });
    expect(error.message).toContain('must reset the sync state');
  });

  it('reads a reset of an initial request as transient, so a fresh query that 410s cannot loop', async () => {
    server.handle((_req, res) => json(res, 410, RESET_BODY));
    const error = await rejection(clientFor(server).messagesDelta(USER, 'f', [], undefined, CTX));
    expect(error).toMatchObject({ kind: 'transient', code: 'SyncStateNotFound', status: 410 });
    expect(error.message).toContain('nothing to reset');
  });

  it('reads a 404 folder code on the hierarchy as permanent, not folderNotFound', async () => {
    server.handle((_req, res) => json(res, 404, errorBody('ErrorItemNotFound')));
    expect(await rejection(clientFor(server).mailFoldersDelta(USER, undefined, CTX))).toMatchObject({
      kind: 'permanent',
    });
  });

  it.each([
    ['mail', 'Mail.Read'],
    ['contacts', 'Contacts.Read'],
  ])('names the application permission a 403 on %s needs', async (which, permission) => {
    server.handle((_req, res) => json(res, 403, errorBody('ErrorAccessDenied', 'Access is denied.')));
    const client = clientFor(server);
    const call =
      which === 'mail'
        ? client.messagesDelta(USER, 'f', [], undefined, CTX)
        : client.contactsDelta(USER, 'f', [], undefined, CTX);
    const error = await rejection(call);
    expect(error.message).toContain('ErrorAccessDenied: Access is denied.');
    expect(error.message).toContain(`${permission} application permission`);
    expect(error.message).toContain('admin consent');
  });

  it("cuts the server's text to 500 characters and never repeats the token", async () => {
    server.handle((req, res) =>
      json(res, 400, errorBody('BadRequest', `${req.headers.authorization} ${'y'.repeat(2000)}`)),
    );
    const error = await rejection(clientFor(server).messagesDelta(USER, 'f', [], undefined, CTX));
    expect(error.message).not.toContain('token-1');
    expect(error.message).toContain('[token]');
    expect(error.message.length).toBeLessThan(600);
  });
});

describe('GraphClient transport failures', () => {
  it('reports a refused connection as transient NetworkError', async () => {
    const closed = await startLoopbackServer();
    await closed.close();
    const error = await rejection(clientFor(closed).mailFoldersDelta(USER, undefined, CTX));
    expect(error).toMatchObject({ kind: 'transient', code: 'NetworkError', requestId: 'req-1' });
  });

  it('times out per call, the body read included', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"value": ['); // and never more
    });
    const error = await rejection(
      clientFor(server, { timeoutMs: 150 }).mailFoldersDelta(USER, undefined, CTX),
    );
    expect(error).toMatchObject({ kind: 'transient', code: 'Timeout' });
  });

  it("stops when the caller's signal aborts", async () => {
    server.handle(() => undefined);
    const controller = new AbortController();
    const call = clientFor(server).mailFoldersDelta(USER, undefined, { ...CTX, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await rejection(call)).toMatchObject({ kind: 'transient', code: 'Aborted' });
  });

  it('keeps the kind of a token endpoint failure', async () => {
    const auth = {
      authorization: async () => {
        throw new TokenRequestError('throttled', 'OAuth2:HTTP_429', 'token endpoint refused the request', {
          httpStatus: 429,
          retryAfterMs: 5000,
        });
      },
      invalidate: () => undefined,
    };
    const error = await rejection(clientFor(server, { auth }).mailFoldersDelta(USER, undefined, CTX));
    expect(error).toMatchObject({
      name: 'GraphError',
      kind: 'throttled',
      code: 'OAuth2:HTTP_429',
      status: 429,
      retryAfterMs: 5000,
    });
    expect(server.requests).toHaveLength(0);
  });
});
