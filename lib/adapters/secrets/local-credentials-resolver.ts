import {
  type CredentialsResolver,
  type MailCredentials,
  CredentialsUnavailableError,
  parseCredentials,
  type ResolvedCredentials,
} from './credentials-schema.js';

export const LOCAL_CREDENTIALS_PREFIX = 'local:';

/**
 * Resolves `local:<name>` refs from an in-memory map: the local run and tests, no AWS. Without
 * allowedHosts they may only go to loopback hosts (see allowed-hosts.ts).
 */
export class LocalCredentialsResolver {
  private readonly entries = new Map<string, ResolvedCredentials>();
  private versions = 0;

  constructor(credentials: Record<string, MailCredentials> = {}) {
    for (const [name, value] of Object.entries(credentials)) this.set(name, value);
  }

  /** Adds or replaces `local:<name>` (a rotation: a new version); validated like a secret. */
  set(name: string, credentials: MailCredentials): void {
    const ref = `${LOCAL_CREDENTIALS_PREFIX}${name}`;
    this.entries.set(name, {
      credentials: parseCredentials(ref, JSON.stringify(credentials)),
      version: `local-${++this.versions}`,
      // Reading the map costs nothing, so users re-check at every call and see set() at once.
      expiresAt: 0,
    });
  }

  readonly resolve = async (credentialsRef: string): Promise<ResolvedCredentials> => {
    if (!credentialsRef.startsWith(LOCAL_CREDENTIALS_PREFIX)) {
      throw new CredentialsUnavailableError(
        credentialsRef,
        `not a ${LOCAL_CREDENTIALS_PREFIX}<name> reference`,
      );
    }
    const resolved = this.entries.get(credentialsRef.slice(LOCAL_CREDENTIALS_PREFIX.length));
    if (!resolved) throw new CredentialsUnavailableError(credentialsRef, 'no such local credentials');
    return resolved;
  };
}

/** `local:` refs go to the local resolver, everything else to `other` (Secrets Manager). */
export function routeCredentials(
  local: LocalCredentialsResolver,
  other: CredentialsResolver,
): CredentialsResolver {
  return (ref, options) =>
    ref.startsWith(LOCAL_CREDENTIALS_PREFIX) ? local.resolve(ref) : other(ref, options);
}
