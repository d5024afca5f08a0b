import { BasicAuthProvider } from './basic.js';
import { OAuth2ClientCredentialsProvider } from './oauth2.js';
import type { AuthProvider, EwsCredentials } from './types.js';

export function createAuthProvider(
  credentials: EwsCredentials,
  options: {
    fetch?: typeof fetch;
    now?: () => number;
    allowInsecureHttp?: boolean;
    /** Cap on token answers (the EWS answer cap); the default cap when absent. */
    maxResponseBytes?: number;
  } = {},
): AuthProvider {
  if (credentials.type === 'basic') return new BasicAuthProvider(credentials.username, credentials.password);
  // Named fields only: allowedHosts is the mail source's business, not the token request's.
  const { tenantId, clientId, clientSecret, tokenUrl } = credentials;
  return new OAuth2ClientCredentialsProvider({ tenantId, clientId, clientSecret, tokenUrl, ...options });
}
