// Rotating a secret must not park the mailboxes that use it. Real HTTP on loopback: a Secrets
// Manager stand-in serving versions, and an Exchange server (EWS and token endpoint) that accepts
// only the credentials it is told are current, as a server does once a password is changed.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EwsMailSource } from '../../lib/adapters/ews/mail-source.js';
import { SecretsCredentialsResolver } from '../../lib/adapters/secrets/index.js';
import { MailSourceError } from '../../lib/core/errors.js';
import type { Mailbox } from '../../lib/core/model.js';
import { fixture } from '../../lib/ews/testing/fixtures.js';
import { type LocalSecretsManager, startLocalSecretsManager } from './local-secrets-manager.js';
import { type LocalServer, startLocalServer } from './local-server.js';

const PAGE = fixture('garethp-o365-sfi-response-empty-changes-selfclosing.xml');
const REF = 'exchange-sync/tenant-a';
const TTL = 60_000;

let secrets: LocalSecretsManager;
let exchange: LocalServer;
/** The password or client secret the server accepts now. */
let accepted: Set<string>;
let now: number;

beforeAll(async () => {
  [secrets, exchange] = await Promise.all([startLocalSecretsManager(), startLocalServer()]);
});
afterAll(() => Promise.all([secrets.close(), exchange.close()]));

beforeEach(() => {
  now = 0;
  accepted = new Set();
  exchange.requests.length = 0;
  exchange.handle((req, res) => {
    if (req.url === '/token') {
      const secret = new URLSearchParams(req.body).get('client_secret') ?? '';
      res.statusCode = accepted.has(secret) ? 200 : 401;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify(
          accepted.has(secret)
            ? { access_token: `token-for-${secret}`, expires_in: 3600 }
            : {
                error: 'invalid_client',
                error_description: 'AADSTS7000215: Invalid client secret provided.',
              },
        ),
      );
      return;
    }
    const authorization = req.headers.authorization ?? '';
    const password = authorization.startsWith('Basic ')
      ? Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':')[1]!
      : authorization.replace('Bearer token-for-', '');
    if (!accepted.has(password)) {
      res.statusCode = 401;
      res.setHeader('www-authenticate', 'Basic realm="ews"');
      res.end();
      return;
    }
    res.setHeader('content-type', 'text/xml');
    res.end(PAGE);
  });
});

/** The worker's wiring, with one clock for the secret cache and the clients. */
function mailSource(): EwsMailSource {
  const resolver = new SecretsCredentialsResolver(secrets.client, {
    prefix: 'exchange-sync/',
    ttlMs: TTL,
    now: () => now,
  });
  return new EwsMailSource(resolver.resolve, { allowInsecureHttp: true, now: () => now });
}

const mailbox = (): Mailbox => ({
  mailboxId: 'alice@contoso.com',
  source: { kind: 'ews', smtpAddress: 'alice@contoso.com', endpoint: `${exchange.url}/EWS/Exchange.asmx` },
  credentialsRef: REF,
  folderFilter: {},
  pageSize: 100,
  properties: [],
  maxConcurrentSyncs: 4,
  status: 'enabled',
  createdAt: 0,
  updatedAt: 0,
});

async function sync(source: EwsMailSource): Promise<MailSourceError | undefined> {
  try {
    await source.syncItems({ mailbox: mailbox(), folderId: 'inbox', requestId: 'r' });
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(MailSourceError);
    return error as MailSourceError;
  }
}

const basic = (password: string) => ({
  type: 'basic',
  username: 'svc',
  password,
  allowedHosts: ['127.0.0.1'],
});
const oauth = (clientSecret: string) => ({
  type: 'oauth2',
  tenantId: 't',
  clientId: 'c',
  clientSecret,
  tokenUrl: `${exchange.url}/token`,
  allowedHosts: ['127.0.0.1'],
});
const passwords = () =>
  exchange.requests.map(
    (r) => Buffer.from(r.headers.authorization!.slice(6), 'base64').toString().split(':')[1],
  );

describe('credential rotation', () => {
  it('retries once with a rotated Basic password instead of reporting auth', async () => {
    secrets.put(REF, basic('old'));
    accepted.add('old');
    const source = mailSource();
    expect(await sync(source)).toBeUndefined();

    // Rotated: the secret has the new password, the server no longer takes the old one, and the
    // secret cache (TTL 60 s) still holds the old version.
    secrets.put(REF, basic('new'));
    accepted = new Set(['new']);
    now = 1000;
    const reads = secrets.reads();
    expect(await sync(source)).toBeUndefined();
    expect(passwords()).toEqual(['old', 'old', 'new']);
    expect(secrets.reads() - reads).toBe(1); // one read past the cache
    expect(await sync(source)).toBeUndefined();
    expect(passwords().at(-1)).toBe('new');
  });

  it('retries once with a rotated OAuth2 client secret the token endpoint refuses', async () => {
    secrets.put(REF, oauth('old'));
    accepted.add('old');
    const source = mailSource();
    expect(await sync(source)).toBeUndefined();
    secrets.put(REF, oauth('new'));
    accepted = new Set(['new']);
    now = 1000;
    expect(await sync(source)).toBeUndefined();
    const last = exchange.requests.slice(-2);
    expect(last.map((r) => r.url)).toEqual(['/token', '/EWS/Exchange.asmx']);
    expect(last[1]!.headers.authorization).toBe('Bearer token-for-new');
  });

  it('reports auth only after fresh credentials failed too', async () => {
    secrets.put(REF, basic('old'));
    accepted.add('old');
    const source = mailSource();
    await sync(source);

    // Revoked without a rotation: the re-read finds the same version, nothing is retried.
    accepted.clear();
    exchange.requests.length = 0;
    const reads = secrets.reads();
    expect(await sync(source)).toMatchObject({ kind: 'auth', code: 'HTTP_401' });
    expect(passwords()).toEqual(['old']);
    expect(secrets.reads() - reads).toBe(1);

    // Rotated to a password the server does not take either: one retry, then auth.
    secrets.put(REF, basic('also-wrong'));
    exchange.requests.length = 0;
    expect(await sync(source)).toMatchObject({ kind: 'auth', code: 'HTTP_401' });
    expect(passwords()).toEqual(['old', 'also-wrong']);
  });

  it('does not park on a Secrets Manager blip while re-reading', async () => {
    secrets.put(REF, basic('old'));
    accepted.add('old');
    const source = mailSource();
    await sync(source);
    secrets.put(REF, basic('new'));
    accepted = new Set(['new']);
    secrets.failNext('ThrottlingException');
    expect(await sync(source)).toMatchObject({ kind: 'transient', code: 'CredentialsUnavailable' });
    expect(await sync(source)).toBeUndefined();
  });

  it('keeps a client no longer than the secret cache TTL, and keeps it when the secret is unchanged', async () => {
    secrets.put(REF, oauth('old'));
    accepted = new Set(['old', 'new']); // both work: only the TTL can move us to the new one
    const source = mailSource();
    await sync(source);
    now = TTL; // expired, secret unchanged: read again, same client, same token
    const reads = secrets.reads();
    await sync(source);
    expect(secrets.reads() - reads).toBe(1);
    expect(exchange.requests.filter((r) => r.url === '/token')).toHaveLength(1);

    secrets.put(REF, oauth('new'));
    now = 2 * TTL - 1; // within the renewed TTL: the old client still
    await sync(source);
    expect(exchange.requests.at(-1)!.headers.authorization).toBe('Bearer token-for-old');
    now = 2 * TTL;
    await sync(source);
    expect(exchange.requests.at(-1)!.headers.authorization).toBe('Bearer token-for-new');
  });
});
