import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsUnavailableError } from './credentials-schema.js';
import { LocalCredentialsResolver, routeCredentials } from './local-credentials-resolver.js';
import { CredentialsRefRejectedError, SecretsCredentialsResolver } from './secrets-credentials-resolver.js';

// A minimal Secrets Manager over real HTTP (AWS JSON 1.1), so the SDK's own wire handling and
// error mapping are exercised; Secrets Manager has no local emulator in this project.
const secrets = new Map<string, string>();
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
      const value = secrets.get(SecretId);
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue' || value === undefined) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'not found' }));
        return;
      }
      res.end(
        JSON.stringify({
          ARN: `arn:aws:secretsmanager:us-east-1:0:secret:${SecretId}`,
          Name: SecretId,
          SecretString: value,
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

const basic = { type: 'basic', username: 'svc', password: 'hunter2-secret' } as const;

describe('SecretsCredentialsResolver', () => {
  it('reads, validates and caches credentials for the TTL', async () => {
    let now = 0;
    secrets.set('exchange-sync/tenant-a', JSON.stringify(basic));
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
    expect(a).toEqual(basic);
    expect(b).toEqual(basic);
    expect(calls - before).toBe(1);

    const rotated = { ...basic, password: 'rotated' };
    secrets.set('exchange-sync/tenant-a', JSON.stringify(rotated));
    now = 999;
    expect(await resolver.resolve('exchange-sync/tenant-a')).toEqual(basic);
    now = 1000;
    expect(await resolver.resolve('exchange-sync/tenant-a')).toEqual(rotated);
    secrets.set('exchange-sync/tenant-a', JSON.stringify(basic));
    resolver.invalidate('exchange-sync/tenant-a');
    expect(await resolver.resolve('exchange-sync/tenant-a')).toEqual(basic);
  });

  it('accepts OAuth2 client credentials', async () => {
    const oauth = {
      type: 'oauth2',
      tenantId: 't',
      clientId: 'c',
      clientSecret: 's',
      tokenUrl: 'https://login.example/token',
    };
    secrets.set('exchange-sync/oauth', JSON.stringify(oauth));
    const resolver = new SecretsCredentialsResolver(client, { prefix: 'exchange-sync/' });
    expect(await resolver.resolve('exchange-sync/oauth')).toEqual(oauth);
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
    expect((missing as Error).message).toBe(
      'credentials exchange-sync/missing unavailable: the secret does not exist',
    );

    secrets.set(
      'exchange-sync/bad',
      JSON.stringify({ type: 'basic', username: 'svc', password: 42, extra: 'hunter2-secret' }),
    );
    const bad = await resolver.resolve('exchange-sync/bad').catch((e: unknown) => e);
    expect((bad as Error).message).toMatch(/exchange-sync\/bad.*password: invalid_type/);
    expect((bad as Error).message).not.toMatch(/hunter2|42/);

    secrets.set('exchange-sync/not-json', 'hunter2-secret');
    const notJson = await resolver.resolve('exchange-sync/not-json').catch((e: unknown) => e);
    expect((notJson as Error).message).toBe(
      'credentials exchange-sync/not-json unavailable: the secret is not JSON',
    );

    secrets.set('exchange-sync/missing', JSON.stringify(basic));
    expect(await resolver.resolve('exchange-sync/missing')).toEqual(basic);
  });
});

describe('LocalCredentialsResolver', () => {
  it('resolves local:<name> refs and routes the rest elsewhere', async () => {
    const local = new LocalCredentialsResolver({ sim: basic });
    expect(await local.resolve('local:sim')).toEqual(basic);
    await expect(local.resolve('local:nope')).rejects.toThrow(
      'credentials local:nope unavailable: no such local credentials',
    );
    await expect(local.resolve('exchange-sync/x')).rejects.toBeInstanceOf(CredentialsUnavailableError);
    expect(() => local.set('broken', { type: 'basic', username: '', password: 'p' })).toThrow(
      /username: too_small/,
    );

    const route = routeCredentials(local, async () => ({ type: 'basic', username: 'aws', password: 'p' }));
    expect(await route('local:sim')).toEqual(basic);
    expect(await route('exchange-sync/x')).toMatchObject({ username: 'aws' });
  });
});
