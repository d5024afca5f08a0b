import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { EwsCredentials } from '../../ews/auth/types.js';
import { CredentialsUnavailableError, parseCredentials } from './credentials-schema.js';

export interface SecretsCredentialsResolverOptions {
  /** Only secrets whose name starts with this are readable (the IAM policy says the same). */
  prefix: string;
  /** How long resolved credentials are reused (default 5 minutes): rotation takes effect after it. */
  ttlMs?: number;
  now?: () => number;
}

/** A credentialsRef outside the configured prefix: refused without calling AWS. */
export class CredentialsRefRejectedError extends Error {
  override readonly name = 'CredentialsRefRejectedError';
  constructor(
    readonly credentialsRef: string,
    readonly prefix: string,
  ) {
    super(`credentialsRef ${credentialsRef} is outside the allowed prefix ${prefix}`);
  }
}

/**
 * Resolves a mailbox's credentialsRef (a Secrets Manager secret name) to EWS credentials.
 * Values live in memory only, for `ttlMs`; nothing here logs them. Concurrent resolutions of the
 * same ref share one GetSecretValue call; failures are not cached.
 */
export class SecretsCredentialsResolver {
  private readonly cache = new Map<string, { credentials: Promise<EwsCredentials>; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly options: SecretsCredentialsResolverOptions,
  ) {
    if (!options.prefix) throw new Error('SecretsCredentialsResolver needs a non-empty secret prefix');
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** A CredentialsResolver: pass `resolver.resolve` around as a plain function. */
  readonly resolve = (credentialsRef: string): Promise<EwsCredentials> => {
    if (!credentialsRef.startsWith(this.options.prefix)) {
      return Promise.reject(new CredentialsRefRejectedError(credentialsRef, this.options.prefix));
    }
    const now = this.now();
    const cached = this.cache.get(credentialsRef);
    if (cached && cached.expiresAt > now) return cached.credentials;
    const credentials = this.fetch(credentialsRef);
    this.cache.set(credentialsRef, { credentials, expiresAt: now + this.ttlMs });
    credentials.catch(() => {
      if (this.cache.get(credentialsRef)?.credentials === credentials) this.cache.delete(credentialsRef);
    });
    return credentials;
  };

  /** Forgets cached credentials (e.g. after the server rejected them), so the next call reads again. */
  invalidate(credentialsRef: string): void {
    this.cache.delete(credentialsRef);
  }

  private async fetch(credentialsRef: string): Promise<EwsCredentials> {
    let text: string | undefined;
    try {
      const secret = await this.client.send(new GetSecretValueCommand({ SecretId: credentialsRef }));
      text =
        secret.SecretString ??
        (secret.SecretBinary ? Buffer.from(secret.SecretBinary).toString('utf8') : undefined);
    } catch (error) {
      const name = error instanceof Error ? error.name : 'UnknownError';
      const reason =
        name === 'ResourceNotFoundException'
          ? 'the secret does not exist'
          : `GetSecretValue failed (${name})`;
      throw new CredentialsUnavailableError(credentialsRef, reason, { cause: error });
    }
    if (text === undefined) throw new CredentialsUnavailableError(credentialsRef, 'the secret has no value');
    return parseCredentials(credentialsRef, text);
  }
}
