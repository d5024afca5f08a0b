import type { EwsCredentials } from '../../ews/auth/types.js';
import { CredentialsUnavailableError, parseCredentials } from './credentials-schema.js';

export const LOCAL_CREDENTIALS_PREFIX = 'local:';

/** Resolves `local:<name>` refs from an in-memory map: the local run and tests, no AWS. */
export class LocalCredentialsResolver {
  private readonly entries = new Map<string, EwsCredentials>();

  constructor(credentials: Record<string, EwsCredentials> = {}) {
    for (const [name, value] of Object.entries(credentials)) this.set(name, value);
  }

  /** Adds or replaces `local:<name>`; validated like a secret. */
  set(name: string, credentials: EwsCredentials): void {
    const ref = `${LOCAL_CREDENTIALS_PREFIX}${name}`;
    this.entries.set(name, parseCredentials(ref, JSON.stringify(credentials)));
  }

  readonly resolve = async (credentialsRef: string): Promise<EwsCredentials> => {
    if (!credentialsRef.startsWith(LOCAL_CREDENTIALS_PREFIX)) {
      throw new CredentialsUnavailableError(
        credentialsRef,
        `not a ${LOCAL_CREDENTIALS_PREFIX}<name> reference`,
      );
    }
    const credentials = this.entries.get(credentialsRef.slice(LOCAL_CREDENTIALS_PREFIX.length));
    if (!credentials) throw new CredentialsUnavailableError(credentialsRef, 'no such local credentials');
    return credentials;
  };
}

/** `local:` refs go to the local resolver, everything else to `other` (Secrets Manager). */
export function routeCredentials(
  local: LocalCredentialsResolver,
  other: (credentialsRef: string) => Promise<EwsCredentials>,
): (credentialsRef: string) => Promise<EwsCredentials> {
  return (ref) => (ref.startsWith(LOCAL_CREDENTIALS_PREFIX) ? local.resolve(ref) : other(ref));
}
