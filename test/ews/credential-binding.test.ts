// The endpoint is bound to the credentials: a registry row naming a secret cannot send its
// password or token to a host the secret does not list. Real HTTP on loopback: a Secrets Manager
// stand-in, the Exchange server the secret is meant for, and a collector someone pointed a row at.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EwsMailSource } from '../../lib/adapters/ews/mail-source.js';
import {
  LocalCredentialsResolver,
  routeCredentials,
  SecretsCredentialsResolver,
} from '../../lib/adapters/secrets/index.js';
import { MailSourceError } from '../../lib/core/errors.js';
import type { Mailbox } from '../../lib/core/model.js';
import { fixture } from '../../lib/ews/testing/fixtures.js';
import { type LocalSecretsManager, startLocalSecretsManager } from './local-secrets-manager.js';
import { type LocalServer, startLocalServer } from './local-server.js';

const PAGE = fixture('garethp-o365-sfi-response-empty-changes-selfclosing.xml');
const PASSWORD = 'hunter2-password';
const CLIENT_SECRET = 'hunter2-client-secret';

let secrets: LocalSecretsManager;
let exchange: LocalServer;
let collector: LocalServer;
let local: LocalCredentialsResolver;

beforeAll(async () => {
  [secrets, exchange, collector] = await Promise.all([
    startLocalSecretsManager(),
    startLocalServer(),
    startLocalServer(),
  ]);
});
afterAll(() => Promise.all([secrets.close(), exchange.close(), collector.close()]));

/** Wired as the worker's composition root wires it (lib/app/container.ts). */
function mailSource(): EwsMailSource {
  local = new LocalCredentialsResolver();
  const resolver = new SecretsCredentialsResolver(secrets.client, { prefix: 'exchange-sync/' });
  return new EwsMailSource(routeCredentials(local, resolver.resolve), { allowInsecureHttp: true });
}

const serve = (server: LocalServer) =>
  server.handle((req, res) => {
    res.setHeader('content-type', req.url === '/token' ? 'application/json' : 'text/xml');
    res.end(req.url === '/token' ? JSON.stringify({ access_token: 'T', expires_in: 3600 }) : PAGE);
  });

beforeEach(() => {
  for (const server of [exchange, collector]) {
    server.requests.length = 0;
    serve(server);
  }
});

function mailbox(baseUrl: string, credentialsRef: string): Mailbox {
  return {
    mailboxId: 'alice@contoso.com',
    source: { kind: 'ews', smtpAddress: 'alice@contoso.com', endpoint: `${baseUrl}/EWS/Exchange.asmx` },
    credentialsRef,
    folderFilter: {},
    pageSize: 100,
    properties: [],
    maxConcurrentSyncs: 4,
    status: 'enabled',
    createdAt: 0,
    updatedAt: 0,
  };
}

async function sync(source: EwsMailSource, box: Mailbox): Promise<MailSourceError | undefined> {
  try {
    await source.syncItems({ mailbox: box, folderId: 'inbox', requestId: 'r' });
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(MailSourceError);
    return error as MailSourceError;
  }
}

const basic = (allowedHosts?: string[]) => ({
  type: 'basic',
  username: 'svc',
  password: PASSWORD,
  allowedHosts,
});
const oauth = (allowedHosts?: string[]) => ({
  type: 'oauth2',
  tenantId: 't',
  clientId: 'c',
  clientSecret: CLIENT_SECRET,
  tokenUrl: `${exchange.url}/token`,
  allowedHosts,
});

describe('endpoint binding', () => {
  it('sends Basic credentials only to a host the secret lists, refusing others before sending anything', async () => {
    secrets.put('exchange-sync/tenant-b', basic(['mail.contoso.com']));
    const source = mailSource();
    const refused = await sync(source, mailbox(collector.url, 'exchange-sync/tenant-b'));
    // Permanent: the core parks the mailbox until an operator fixes the row or the secret.
    expect(refused).toMatchObject({ kind: 'permanent', code: 'EndpointNotAllowed' });
    expect(refused!.message).toBe(
      'endpoint host 127.0.0.1 is not in the allowedHosts of credentials exchange-sync/tenant-b ' +
        "(mail.contoso.com): nothing sent; fix the mailbox's endpoint or the secret's allowedHosts",
    );
    expect(collector.requests).toHaveLength(0);

    secrets.put('exchange-sync/tenant-c', basic(['MAIL.contoso.com', '127.0.0.1']));
    expect(await sync(mailSource(), mailbox(exchange.url, 'exchange-sync/tenant-c'))).toBeUndefined();
    expect(exchange.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from(`svc:${PASSWORD}`).toString('base64')}`,
    );
  });

  it('refuses Basic credentials that list no allowedHosts, saying to add them', async () => {
    secrets.put('exchange-sync/legacy', basic());
    const refused = await sync(mailSource(), mailbox(exchange.url, 'exchange-sync/legacy'));
    expect(refused).toMatchObject({ kind: 'permanent', code: 'EndpointNotAllowed' });
    expect(refused!.message).toContain('credentials exchange-sync/legacy name no allowedHosts');
    expect(refused!.message).toContain('add "allowedHosts"');
    expect(refused!.message).not.toContain(PASSWORD);
    expect(exchange.requests).toHaveLength(0);
  });

  it('asks for an app-only token only for outlook.office365.com when an OAuth2 secret lists no hosts', async () => {
    secrets.put('exchange-sync/online', oauth());
    const refused = await sync(mailSource(), mailbox(collector.url, 'exchange-sync/online'));
    expect(refused).toMatchObject({ kind: 'permanent', code: 'EndpointNotAllowed' });
    expect(refused!.message).toContain('(outlook.office365.com)');
    expect(exchange.requests).toHaveLength(0); // no token request either
    expect(collector.requests).toHaveLength(0);

    secrets.put('exchange-sync/listed', oauth(['127.0.0.1']));
    expect(await sync(mailSource(), mailbox(exchange.url, 'exchange-sync/listed'))).toBeUndefined();
    expect(exchange.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/token', undefined],
      ['/EWS/Exchange.asmx', 'Bearer T'],
    ]);
  });

  it('lets local credentials reach loopback hosts only, unless they list their own', async () => {
    const source = mailSource();
    local.set('sim', { type: 'basic', username: 'svc', password: PASSWORD });
    expect(await sync(source, mailbox(exchange.url, 'local:sim'))).toBeUndefined();
    // Refused before any lookup or connection: not a NetworkError.
    expect(await sync(source, mailbox('http://ews.contoso.invalid', 'local:sim'))).toMatchObject({
      kind: 'permanent',
      code: 'EndpointNotAllowed',
    });

    local.set('listed', {
      type: 'basic',
      username: 'svc',
      password: PASSWORD,
      allowedHosts: ['ews.contoso.com'],
    });
    expect(await sync(source, mailbox(collector.url, 'local:listed'))).toMatchObject({
      code: 'EndpointNotAllowed',
    });
    expect(collector.requests).toHaveLength(0);
  });
});
