export {
  allowedHostsFor,
  assertEndpointAllowed,
  EndpointNotAllowedError,
  EXCHANGE_ONLINE_HOSTS,
  LOOPBACK_HOSTS,
  normalizeHost,
} from './allowed-hosts.js';
export { type CredentialLease, CredentialLeases } from './credential-leases.js';
export {
  type CredentialsResolver,
  CredentialsUnavailableError,
  credentialsSource,
  ewsCredentialsSchema,
  type MailCredentials,
  parseCredentials,
  type ResolvedCredentials,
  type ResolveOptions,
} from './credentials-schema.js';
export {
  LOCAL_CREDENTIALS_PREFIX,
  LocalCredentialsResolver,
  routeCredentials,
} from './local-credentials-resolver.js';
export {
  CredentialsRefRejectedError,
  DEFAULT_SECRET_TTL_MS,
  SecretsCredentialsResolver,
  type SecretsCredentialsResolverOptions,
} from './secrets-credentials-resolver.js';
