// Public API of the shared OAuth2 module: app-only tokens for any Microsoft resource (the scope is
// always given by the caller: lib/ews uses Exchange Online's, the Graph adapter Graph's).

export {
  type ClientCredentialsOptions,
  ClientCredentialsTokenProvider,
  DEFAULT_TOKEN_TIMEOUT_MS,
  defaultTokenUrl,
  REFRESH_MARGIN_MS,
} from './client-credentials.js';
export {
  TokenRequestError,
  type TokenRequestErrorKind,
  type TokenRequestErrorOptions,
} from './token-request-error.js';
