// EWS authentication: Basic (one account) and Bearer (a set of tokens). A failure answers 401
// with WWW-Authenticate headers shaped like Exchange Online's.

export interface AuthSettings {
  username: string;
  password: string;
  bearerTokens: readonly string[];
}

export type AuthResult =
  | { ok: true; principal: string; scheme: 'Basic' | 'Bearer' }
  | { ok: false; scheme?: string };

export function authenticate(header: string | undefined, settings: AuthSettings): AuthResult {
  if (!header) return { ok: false };
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const credentials = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'basic') {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    if (
      colon > 0 &&
      user.toLowerCase() === settings.username.toLowerCase() &&
      password === settings.password
    ) {
      return { ok: true, principal: settings.username.toLowerCase(), scheme: 'Basic' };
    }
    return { ok: false, scheme: 'Basic' };
  }
  if (scheme === 'bearer') {
    return settings.bearerTokens.includes(credentials)
      ? { ok: true, principal: 'app', scheme: 'Bearer' }
      : { ok: false, scheme: 'Bearer' };
  }
  return { ok: false, scheme };
}

export function challengeHeaders(result: AuthResult): Record<string, string | string[]> {
  const bearer =
    'Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*", token_types="app_asserted_user_v1 service_asserted_app_v1", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"';
  const headers: Record<string, string | string[]> = {
    'WWW-Authenticate': [
      result.ok === false && result.scheme === 'Bearer' ? `${bearer}, error="invalid_token"` : bearer,
      'Basic Realm=""',
    ],
  };
  if (result.ok === false && result.scheme === 'Bearer') {
    headers['x-ms-diagnostics'] = '2000001;reason="The token is invalid.";error_category="invalid_token"';
  }
  return headers;
}
