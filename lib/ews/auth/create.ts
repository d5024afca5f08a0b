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
  return new OAuth2ClientCredentialsProvider({ ...credentials, ...options });
}
