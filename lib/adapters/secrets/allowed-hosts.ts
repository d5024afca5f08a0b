// Binds credentials to the endpoints they may be sent to. The registry row names the endpoint
// and the secret; the secret names the hosts. Whoever can write one registry row can therefore
// move a mailbox between hosts the secret already trusts, but cannot send a password or an
// app-only token anywhere else.
import { MailSourceError } from '../../core/errors.js';
import { credentialsSource, type MailCredentials } from './credentials-schema.js';
import { LOCAL_CREDENTIALS_PREFIX } from './local-credentials-resolver.js';

/** OAuth2 secrets without allowedHosts: app-only tokens are for Exchange Online only. */
export const EXCHANGE_ONLINE_HOSTS: readonly string[] = ['outlook.office365.com'];

/** OAuth2 secrets for Graph without allowedHosts: Microsoft Graph's global service only. */
export const GRAPH_HOSTS: readonly string[] = ['graph.microsoft.com'];

/**
 * `local:<name>` credentials without allowedHosts: loopback only. They exist in the process of
 * the local run and the tests (the simulator listens on 127.0.0.1), are never read from AWS, and
 * a `local:` ref in a deployed registry resolves to nothing; an explicit list still wins.
 */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', '::1', 'localhost'];

/**
 * The mailbox's endpoint host is not one its credentials may be sent to. Permanent, so the core
 * parks the mailbox: an operator must fix the endpoint or the secret. Names the host and the
 * secret, never the secret's content.
 */
export class EndpointNotAllowedError extends MailSourceError {
  constructor(
    readonly host: string,
    readonly credentialsRef: string,
    /** The hosts the secret allows; undefined when it names none (Basic without allowedHosts). */
    readonly allowedHosts: readonly string[] | undefined,
  ) {
    super(
      'permanent',
      'EndpointNotAllowed',
      allowedHosts === undefined
        ? `credentials ${credentialsRef} name no allowedHosts, so they are sent nowhere: add ` +
            `"allowedHosts": ["<your Exchange host>"] to the secret (endpoint host ${host} refused, nothing sent)`
        : `endpoint host ${host} is not in the allowedHosts of credentials ${credentialsRef} ` +
            `(${allowedHosts.join(', ')}): nothing sent; fix the mailbox's endpoint or the secret's allowedHosts`,
    );
  }
}

/** Lower case, no IPv6 brackets, no trailing dot: how `new URL().hostname` and a secret may differ. */
export function normalizeHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/** The hosts `credentials` may go to: the secret's list, else the default for their kind. */
export function allowedHostsFor(
  credentialsRef: string,
  credentials: MailCredentials,
): readonly string[] | undefined {
  if (credentials.allowedHosts !== undefined) return credentials.allowedHosts;
  if (credentialsRef.startsWith(LOCAL_CREDENTIALS_PREFIX)) return LOOPBACK_HOSTS;
  // Basic passwords go to on-premises servers, which have no default worth guessing.
  if (credentials.type !== 'oauth2') return undefined;
  return credentialsSource(credentials) === 'graph' ? GRAPH_HOSTS : EXCHANGE_ONLINE_HOSTS;
}

/** Throws EndpointNotAllowedError unless `endpoint`'s host is allowed for the credentials. */
export function assertEndpointAllowed(
  endpoint: string,
  credentialsRef: string,
  credentials: MailCredentials,
): void {
  let host: string;
  try {
    host = normalizeHost(new URL(endpoint).hostname);
  } catch (error) {
    throw new MailSourceError('permanent', 'InvalidEndpoint', 'the mailbox endpoint is not a URL', {
      cause: error,
    });
  }
  const allowed = allowedHostsFor(credentialsRef, credentials);
  if (allowed?.some((candidate) => normalizeHost(candidate) === host)) return;
  throw new EndpointNotAllowedError(host, credentialsRef, allowed);
}
