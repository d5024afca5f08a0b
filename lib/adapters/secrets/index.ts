export { CredentialsUnavailableError, ewsCredentialsSchema, parseCredentials } from './credentials-schema.js';
export {
  LOCAL_CREDENTIALS_PREFIX,
  LocalCredentialsResolver,
  routeCredentials,
} from './local-credentials-resolver.js';
export {
  CredentialsRefRejectedError,
  SecretsCredentialsResolver,
  type SecretsCredentialsResolverOptions,
} from './secrets-credentials-resolver.js';
