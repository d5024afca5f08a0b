// A minimal Secrets Manager over loopback HTTP (AWS JSON 1.1, GetSecretValue only), so the SDK's
// wire handling and error mapping run for real; the project has no Secrets Manager emulator.
// Every put is a new version with its own VersionId, as PutSecretValue makes one.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface LocalSecretsManager {
  client: SecretsManagerClient;
  put(name: string, value: unknown): void;
  /** The next GetSecretValue answers this error (`__type`, e.g. ThrottlingException). */
  failNext(errorType: string): void;
  /** GetSecretValue calls so far. */
  reads(): number;
  close(): Promise<void>;
}

export async function startLocalSecretsManager(): Promise<LocalSecretsManager> {
  const secrets = new Map<string, { value: string; versionId: string }>();
  let versions = 0;
  let reads = 0;
  let failure: string | undefined;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      reads++;
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      const secret = secrets.get(SecretId);
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      const error = failure ?? (secret === undefined ? 'ResourceNotFoundException' : undefined);
      failure = undefined;
      if (error !== undefined || secret === undefined) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: error, message: 'refused' }));
        return;
      }
      res.end(JSON.stringify({ Name: SecretId, VersionId: secret.versionId, SecretString: secret.value }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = new SecretsManagerClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  return {
    client,
    put: (name, value) => {
      secrets.set(name, { value: JSON.stringify(value), versionId: `version-${++versions}` });
    },
    failNext: (errorType) => {
      failure = errorType;
    },
    reads: () => reads,
    close: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
