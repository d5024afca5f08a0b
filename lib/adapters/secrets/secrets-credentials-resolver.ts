import { createHash } from 'node:crypto';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CredentialsUnavailableError,
  parseCredentials,
  type ResolvedCredentials,
  type ResolveOptions,
} from './credentials-schema.js';

/** How long resolved credentials are reused by default; the mail source's clients live as long. */
export const DEFAULT_SECRET_TTL_MS = 5 * 60_000;

export interface SecretsCredentialsResolverOptions {
  /** Only secrets whose name starts with this are readable (the IAM policy says the same). */
  prefix: string;
  /** How long resolved credentials are reused (DEFAULT_SECRET_TTL_MS): rotation takes effect after it. */
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

/** Answers that mean the secret itself needs an operator; anything else may pass (throttling, network). */
const OPERATOR_ERRORS: Record<string, string> = {
  ResourceNotFoundException: 'the secret does not exist',
  AccessDeniedException: 'access to the secret is denied',
  DecryptionFailure: 'the secret cannot be decrypted with its KMS key',
  InvalidRequestException: 'the secret cannot be read (scheduled for deletion?)',
};

/**
 * Resolves a mailbox's credentialsRef (a Secrets Manager secret name) to EWS credentials.
 * Values live in memory only, for `ttlMs`; nothing here logs them. Concurrent resolutions of the
 * same ref share one GetSecretValue call (fresh ones too); failures are not cached.
 */
export class SecretsCredentialsResolver {
  private readonly cache = new Map<string, { value: Promise<ResolvedCredentials>; expiresAt: number }>();
  private readonly freshReads = new Map<string, Promise<ResolvedCredentials>>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly options: SecretsCredentialsResolverOptions,
  ) {
    if (!options.prefix) throw new Error('SecretsCredentialsResolver needs a non-empty secret prefix');
    this.ttlMs = options.ttlMs ?? DEFAULT_SECRET_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** A CredentialsResolver: pass `resolver.resolve` around as a plain function. */
  readonly resolve = (credentialsRef: string, options: ResolveOptions = {}): Promise<ResolvedCredentials> => {
    if (!credentialsRef.startsWith(this.options.prefix)) {
      return Promise.reject(new CredentialsRefRejectedError(credentialsRef, this.options.prefix));
    }
    if (options.fresh) return this.readFresh(credentialsRef);
    const cached = this.cache.get(credentialsRef);
    if (cached && cached.expiresAt > this.now()) return cached.value;
    return this.read(credentialsRef);
  };

  /** Forgets cached credentials, so the next call reads again. */
  invalidate(credentialsRef: string): void {
    this.cache.delete(credentialsRef);
  }

  /** After a rejection many calls may ask at once: they share one read. */
  private readFresh(credentialsRef: string): Promise<ResolvedCredentials> {
    let pending = this.freshReads.get(credentialsRef);
    if (pending === undefined) {
      pending = this.read(credentialsRef);
      this.freshReads.set(credentialsRef, pending);
      const done = () => this.freshReads.delete(credentialsRef);
      pending.then(done, done);
    }
    return pending;
  }

  /** Reads the secret and caches the read (fresh reads too, so later calls see the new version). */
  private read(credentialsRef: string): Promise<ResolvedCredentials> {
    const expiresAt = this.now() + this.ttlMs;
    const value = this.fetch(credentialsRef, expiresAt);
    this.cache.set(credentialsRef, { value, expiresAt });
    value.catch(() => {
      if (this.cache.get(credentialsRef)?.value === value) this.cache.delete(credentialsRef);
    });
    return value;
  }

  private async fetch(credentialsRef: string, expiresAt: number): Promise<ResolvedCredentials> {
    let text: string | undefined;
    let versionId: string | undefined;
    try {
      const secret = await this.client.send(new GetSecretValueCommand({ SecretId: credentialsRef }));
      versionId = secret.VersionId;
      text =
        secret.SecretString ??
        (secret.SecretBinary ? Buffer.from(secret.SecretBinary).toString('utf8') : undefined);
    } catch (error) {
      const name = error instanceof Error ? error.name : 'UnknownError';
      const reason = OPERATOR_ERRORS[name];
      throw new CredentialsUnavailableError(credentialsRef, reason ?? `GetSecretValue failed (${name})`, {
        cause: error,
        retryable: reason === undefined,
      });
    }
    if (text === undefined) throw new CredentialsUnavailableError(credentialsRef, 'the secret has no value');
    const credentials = parseCredentials(credentialsRef, text);
    // Secrets Manager always sends a VersionId; a digest of the value stands in should one not.
    const version = versionId ?? `sha256:${createHash('sha256').update(text).digest('hex')}`;
    return { credentials, version, expiresAt };
  }
}
