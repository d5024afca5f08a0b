// What the mail source builds from credentials (an EWS client holding the password or an OAuth
// token) lives only as long as the credentials may be used without reading the secret again.
// A rotated secret is then picked up within the resolver's TTL, or at once when the server
// rejects the old credentials; an unchanged one keeps its client (and its token and connections).
import { MailSourceError } from '../../core/errors.js';
import { assertEndpointAllowed } from './allowed-hosts.js';
import {
  type CredentialsResolver,
  CredentialsUnavailableError,
  type ResolvedCredentials,
} from './credentials-schema.js';
import { CredentialsRefRejectedError } from './secrets-credentials-resolver.js';

export interface CredentialLease<T> {
  readonly value: T;
  /** The secret version `value` was built from. */
  readonly version: string;
  /** Epoch ms after which the secret is read again before `value` is used. */
  readonly expiresAt: number;
}

/**
 * One value per endpoint and credentialsRef, built only for an endpoint the credentials allow
 * (allowed-hosts.ts), so nothing is sent to any other host. Concurrent renewals share one read.
 * Every failure is a MailSourceError.
 */
export class CredentialLeases<T> {
  readonly #leases = new Map<string, CredentialLease<T>>();
  readonly #renewals = new Map<string, Promise<CredentialLease<T>>>();

  constructor(
    private readonly resolve: CredentialsResolver,
    /** Builds the value; throws MailSourceError when the credentials cannot be used. */
    private readonly build: (endpoint: string, resolved: ResolvedCredentials) => T,
    private readonly now: () => number = Date.now,
  ) {}

  /** The lease for the pair, renewed when its credentials have expired. */
  current(endpoint: string, credentialsRef: string): Promise<CredentialLease<T>> {
    const lease = this.#leases.get(leaseKey(endpoint, credentialsRef));
    if (lease !== undefined && lease.expiresAt > this.now()) return Promise.resolve(lease);
    return this.#renew(endpoint, credentialsRef, false);
  }

  /**
   * The server refused `rejected`. Reads the secret past any cache and returns a lease on newer
   * credentials, or undefined when the secret has not changed: then the current credentials
   * themselves were refused, and only then is the failure an operator's business.
   */
  async afterRejection(
    endpoint: string,
    credentialsRef: string,
    rejected: CredentialLease<T>,
  ): Promise<CredentialLease<T> | undefined> {
    const lease = this.#leases.get(leaseKey(endpoint, credentialsRef));
    // A concurrent call has already moved to newer credentials.
    if (lease !== undefined && lease.version !== rejected.version) return lease;
    const renewed = await this.#renew(endpoint, credentialsRef, true);
    return renewed.version === rejected.version ? undefined : renewed;
  }

  /**
   * One call, plus one retry when the server rejects credentials that have been rotated since
   * the value was built: the secret is read again past its cache, and an unchanged version means
   * the current credentials were refused. Only then is `auth` (which parks the mailbox) reported,
   * so a rotation does not park every mailbox using the secret. The retry runs after the first
   * call has ended, so it stays within the caller's concurrency slot. `toError` classifies what
   * the protocol threw.
   */
  async call<R>(
    endpoint: string,
    credentialsRef: string,
    run: (value: T) => Promise<R>,
    toError: (error: unknown) => MailSourceError,
  ): Promise<R> {
    const lease = await this.current(endpoint, credentialsRef);
    try {
      return await run(lease.value);
    } catch (error) {
      const mapped = toError(error);
      if (mapped.kind !== 'auth') throw mapped;
      const renewed = await this.afterRejection(endpoint, credentialsRef, lease);
      if (renewed === undefined) throw mapped;
      try {
        return await run(renewed.value);
      } catch (retryError) {
        throw toError(retryError);
      }
    }
  }

  #renew(endpoint: string, credentialsRef: string, fresh: boolean): Promise<CredentialLease<T>> {
    const key = leaseKey(endpoint, credentialsRef);
    // A fresh read must not ride on a cached one started earlier: it answers a rejection.
    const renewalKey = fresh ? `${key}\nfresh` : key;
    let renewal = this.#renewals.get(renewalKey);
    if (renewal === undefined) {
      renewal = this.#load(key, endpoint, credentialsRef, fresh).finally(() =>
        this.#renewals.delete(renewalKey),
      );
      this.#renewals.set(renewalKey, renewal);
    }
    return renewal;
  }

  async #load(key: string, endpoint: string, credentialsRef: string, fresh: boolean) {
    try {
      const resolved = await this.resolve(credentialsRef, fresh ? { fresh } : undefined).catch(
        (error: unknown) => {
          throw unavailable(credentialsRef, error);
        },
      );
      const previous = this.#leases.get(key);
      const lease: CredentialLease<T> =
        previous?.version === resolved.version
          ? { ...previous, expiresAt: resolved.expiresAt }
          : {
              value: this.#checkedBuild(endpoint, credentialsRef, resolved),
              version: resolved.version,
              expiresAt: resolved.expiresAt,
            };
      this.#leases.set(key, lease);
      return lease;
    } catch (error) {
      // Credentials that cannot be read or used now are not used later either.
      this.#leases.delete(key);
      throw error;
    }
  }

  #checkedBuild(endpoint: string, credentialsRef: string, resolved: ResolvedCredentials): T {
    assertEndpointAllowed(endpoint, credentialsRef, resolved.credentials);
    return this.build(endpoint, resolved);
  }
}

function leaseKey(endpoint: string, credentialsRef: string): string {
  return `${endpoint}\n${credentialsRef}`;
}

/**
 * A secret that is missing, malformed or outside the prefix needs an operator (auth: the core
 * parks); a Secrets Manager blip does not (transient: retried with back-off).
 */
function unavailable(credentialsRef: string, error: unknown): MailSourceError {
  const known = error instanceof CredentialsUnavailableError || error instanceof CredentialsRefRejectedError;
  // These messages name the secret and the reason by construction, never the secret's content.
  const message = known ? error.message : `credentials ${credentialsRef} unavailable`;
  const kind = error instanceof CredentialsUnavailableError && error.retryable ? 'transient' : 'auth';
  return new MailSourceError(kind, 'CredentialsUnavailable', message, { cause: error });
}
