import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EwsCredentials } from '../../ews/auth/types.js';
import { CredentialsUnavailableError, parseCredentials } from './credentials-schema.js';
import { LocalCredentialsResolver, routeCredentials } from './local-credentials-resolver.js';
import { CredentialsRefRejectedError, SecretsCredentialsResolver } from './secrets-credentials-resolver.js';

// A minimal Secrets Manager over real HTTP (AWS JSON 1.1), so the SDK's own wire handling and
// error mapping are exercised; Secrets Manager has no local emulator in this project. Every
// put is a new version, as PutSecretValue makes one.
const secrets = new Map<string, { value: string; versionId: string }>();
let versions = 0;
const put = (name: string, value: string) => secrets.set(name, { value, versionId: `v${++versions}` });
/** The next answer is this error instead (`__type`), e.g. ThrottlingException. */
let failNext: string | undefined;
let calls = 0;
let server: Server;
let client: SecretsManagerClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      calls++;
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      const secret = secrets.get(SecretId);
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      const error =
        failNext ??
        (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue' || secret === undefined
          ? 'ResourceNotFoundException'
          : undefined);
      failNext = undefined;
      if (error !== undefined) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: error, message: 'refused' }));
        return;
      }
      res.end(
        JSON.stringify({
          ARN: `arn:aws:secretsmanager:us-east-1:0:secret:${SecretId}`,
          Name: SecretId,
          VersionId: secret!.versionId,
          SecretString: secret!.value,
        }),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  client = new SecretsManagerClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  server.close();
});

const basic: EwsCredentials = {
  type: 'basic',
  username: 'svc',
  password: 'hunter2-secret',
  allowedHosts: ['mail.contoso.com'],
};

describe('SecretsCredentialsResolver', () => {
  it('reads, validates and caches credentials for the TTL, with their version and expiry', async () => {
    let now = 0;
    put('exchange-sync/tenant-a', JSON.stringify(basic));
    const resolver = new SecretsCredentialsResolver(client, {
      prefix: 'exchange-sync/',
      ttlMs: 1000,
      now: () => now,
    });
    const before = calls;
    const [a, b] = await Promise.all([
      resolver.resolve('exchange-sync/tenant-a'),
      resolver.resolve('exchange-sync/tenant-a'),
    ]);
    expect(a).toEqual({ credentials: basic, version: `v${versions}`, expiresAt: 1000 });
    expect(b).toBe(a);
    expect(calls - before).toBe(1);

    const rotated = { ...basic, password: 'rotated' };
    put('exchange-sync/tenant-a', JSON.stringify(rotated));
    now = 999;
    expect((await resolver.resolve('exchange-sync/tenant-a')).credentials).toEqual(basic);
    now = 1000;
    expect(await resolver.resolve('exchange-sync/tenant-a')).toEqual({
      credentials: rotated,
      version: `v${versions}`,
      expiresAt: 2000,
    });
    put('exchange-sync/tenant-a', JSON.stringify(basic));
    resolver.invalidate('exchange-sync/tenant-a');
    expect((await resolver.resolve('exchange-sync/tenant-a')).credentials).toEqual(basic);
  });

  it('reads past the cache when asked for fresh credentials, sharing one read, and caches that read', async () => {
    put('exchange-sync/fresh', JSON.stringify(basic));
    const resolver = new SecretsCredentialsResolver(client, { prefix: 'exchange-sync/', now: () => 0 });
    const first = await resolver.resolve('exchange-sync/fresh');
    put('exchange-sync/fresh', JSON.stringify({ ...basic, password: 'rotated' }));
    expect(await resolver.resolve('exchange-sync/fresh')).toBe(first);

    const before = calls;
    const [a, b] = await Promise.all([
      resolver.resolve('exchange-sync/fresh', { fresh: true }),
      resolver.resolve('exchange-sync/fresh', { fresh: true }),
    ]);
    expect(calls - before).toBe(1);
    expect(b).toBe(a);
    expect(a.version).not.toBe(first.version);
    expect(a.credentials).toMatchObject({ password: 'rotated' });
    expect(await resolver.resolve('exchange-sync/fresh')).toBe(a);
  });

  it('accepts OAuth2 client credentials, with or without allowedHosts', async () => {
    const oauth = {
      type: 'oauth2',
      tenantId: 't',
      clientId: 'c',
      clientSecret: 's',
      tokenUrl: 'https://login.example/token',
    };
    put('exchange-sync/oauth', JSON.stringify(oauth));
    const resolver = new SecretsCredentialsResolver(client, { prefix: 'exchange-sync/' });
    expect((await resolver.resolve('exchange-sync/oauth')).credentials).toEqual(oauth);
  });

  it('refuses refs outside the prefix without calling AWS', async () => {
    const resolver = new SecretsCredentialsResolver(client, { prefix: 'exchange-sync/' });
    const before = calls;
    await expect(resolver.resolve('other-app/db-password')).rejects.toBeInstanceOf(
      CredentialsRefRejectedError,
    );
    expect(calls).toBe(before);
  });

  it('names the secret but never its value in errors, and does not cache failures', async () => {
    const resolver = new SecretsCredentialsResolver(client, { prefix: 'exchange-sync/' });
    const missing = await resolver.resolve('exchange-sync/missing').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(CredentialsUnavailableError);
    expect(missing).toMatchObject({
      retryable: false,
      message: 'credentials exchange-sync/missing unavailable: the secret does not exist',
    });

    put(
      'exchange-sync/bad',
      JSON.stringify({ type: 'basic', username: 'svc', password: 42, extra: 'hunter2-secret' }),
    );
    const bad = await resolver.resolve('exchange-sync/bad').catch((e: unknown) => e);
    expect((bad as Error).message).toMatch(/exchange-sync\/bad.*password: invalid_type/);
    expect((bad as Error).message).not.toMatch(/hunter2|42/);

    put('exchange-sync/not-json', 'hunter2-secret');
    const notJson = await resolver.resolve('exchange-sync/not-json').catch((e: unknown) => e);
    expect((notJson as Error).message).toBe(
      'credentials exchange-sync/not-json unavailable: the secret is not JSON',
    );

    put('exchange-sync/missing', JSON.stringify(basic));
    failNext = 'ThrottlingException';
    const throttled = await resolver.resolve('exchange-sync/missing').catch((e: unknown) => e);
    // Asking again later may work: a mailbox is not parked for this.
    expect(throttled).toMatchObject({
      retryable: true,
      reason: 'GetSecretValue failed (ThrottlingException)',
    });
    expect((await resolver.resolve('exchange-sync/missing')).credentials).toEqual(basic);
  });
});

describe('parseCredentials', () => {
  it('takes allowedHosts as bare host names and refuses URLs, ports and empty lists', () => {
    const ok = parseCredentials('r', JSON.stringify({ ...basic, allowedHosts: ['Mail.Contoso.com', '::1'] }));
    expect(ok.allowedHosts).toEqual(['Mail.Contoso.com', '::1']);
    for (const allowedHosts of [['https://mail.contoso.com'], ['mail.contoso.com:443'], ['a/b'], [], 'x']) {
      expect(() => parseCredentials('r', JSON.stringify({ ...basic, allowedHosts }))).toThrow(
        /credentials r unavailable: .*allowedHosts.*allowedHosts being host names/,
      );
    }
  });
});

describe('LocalCredentialsResolver', () => {
  it('resolves local:<name> refs, versions every set, and routes the rest elsewhere', async () => {
    const local = new LocalCredentialsResolver({ sim: basic });
    const first = await local.resolve('local:sim');
    expect(first.credentials).toEqual(basic);
    local.set('sim', { ...basic, password: 'rotated' });
    const second = await local.resolve('local:sim');
    expect(second.version).not.toBe(first.version);
    expect(second.credentials).toMatchObject({ password: 'rotated' });
    await expect(local.resolve('local:nope')).rejects.toThrow(
      'credentials local:nope unavailable: no such local credentials',
    );
    await expect(local.resolve('exchange-sync/x')).rejects.toBeInstanceOf(CredentialsUnavailableError);
    expect(() => local.set('broken', { type: 'basic', username: '', password: 'p' })).toThrow(
      /username: too_small/,
    );

    const asked: unknown[] = [];
    const route = routeCredentials(local, async (ref, options) => {
      asked.push([ref, options]);
      return { credentials: { type: 'basic', username: 'aws', password: 'p' }, version: 'a', expiresAt: 1 };
    });
    expect((await route('local:sim')).credentials).toMatchObject({ password: 'rotated' });
    expect((await route('exchange-sync/x', { fresh: true })).credentials).toMatchObject({ username: 'aws' });
    expect(asked).toEqual([['exchange-sync/x', { fresh: true }]]);
  });
});
