// Redirects are never followed. A followed 3xx re-sends the SOAP body, X-AnchorMailbox and (same
// origin) Authorization to whatever the Location names, accepts an https -> http downgrade, and
// parses the target's answer; a followed 307 from the token endpoint re-posts the client secret.
// Callers fetch with `redirect: 'manual'` and hand every answer here first.

import { EwsError, type EwsErrorKind } from '../errors.js';

/**
 * Exchange's front end answers an internal failure with a 302 to its generic error page
 * (`/owa/auth/errorFE.aspx?httpCode=500...`, or ASP.NET's `/ews/genericerrorpage.htm`, which
 * exchangelib retries too): an outage of the server, not a new address, so it is retried like a
 * 5xx. Any other target (a login page, `/internalsite/...` after a certificate problem, another
 * host) needs someone to fix the configuration.
 */
const ERROR_PAGE = /(?:\/errorfe\.aspx|\/genericerrorpage\.htm)$/i;

export class EwsRedirectError extends EwsError {
  override readonly name = 'EwsRedirectError';
  /** scheme://host[:port] of the Location; never its path or query (they may carry tokens). */
  readonly locationOrigin?: string;

  constructor(
    kind: EwsErrorKind,
    code: string,
    message: string,
    httpStatus: number,
    locationOrigin: string | undefined,
  ) {
    super(kind, code, message, { httpStatus });
    if (locationOrigin !== undefined) this.locationOrigin = locationOrigin;
  }
}

/**
 * The error for a redirect answer (or one the HTTP client followed despite `redirect: 'manual'`),
 * undefined for any other answer. `otherKind` is what a redirect elsewhere means to the caller:
 * 'permanent' for EWS (the endpoint must be corrected), 'auth' for the token endpoint.
 */
export function redirectError(
  what: string,
  response: Response,
  requestUrl: string,
  otherKind: 'permanent' | 'auth',
): EwsRedirectError | undefined {
  const status = response.status;
  if (response.redirected) return followed(what, response, requestUrl, otherKind);
  if (status < 300 || status > 399) {
    // A client that follows without saying so still answers from another URL.
    return movedFrom(response.url, requestUrl) ? followed(what, response, requestUrl, otherKind) : undefined;
  }
  const location = response.headers.get('location');
  if (location === null || location.trim() === '') {
    return new EwsRedirectError(
      otherKind,
      'Redirect',
      `${what}: HTTP ${status} without a Location`,
      status,
      undefined,
    );
  }
  let target: URL | undefined;
  try {
    target = new URL(location.trim(), requestUrl);
  } catch {
    target = undefined;
  }
  const origin = target === undefined ? undefined : hostPart(target);
  if (target !== undefined && ERROR_PAGE.test(target.pathname)) {
    return new EwsRedirectError(
      'transient',
      'RedirectToErrorPage',
      `${what}: HTTP ${status} to the server's error page on ${target.host}: a server-side failure, retried later`,
      status,
      origin,
    );
  }
  const downgrade =
    target?.protocol === 'http:' && new URL(requestUrl).protocol === 'https:'
      ? ' (an https to http downgrade)'
      : '';
  return new EwsRedirectError(
    otherKind,
    'Redirect',
    `${what}: HTTP ${status} redirect to ${origin ?? 'an unparsable Location'}${downgrade}, not followed: point the configuration at the server that answers`,
    status,
    origin,
  );
}

function followed(
  what: string,
  response: Response,
  requestUrl: string,
  otherKind: 'permanent' | 'auth',
): EwsRedirectError {
  const origin = originOf(response.url, requestUrl);
  return new EwsRedirectError(
    otherKind,
    'Redirect',
    `${what}: the HTTP client followed a redirect to ${origin ?? 'an unknown address'} although told not to; answer ignored`,
    response.status,
    origin,
  );
}

/** The answer names a URL other than the one requested (fragments aside); '' (a built Response) never does. */
function movedFrom(responseUrl: string, requestUrl: string): boolean {
  if (responseUrl === '') return false;
  try {
    const answered = new URL(responseUrl);
    const requested = new URL(requestUrl);
    answered.hash = '';
    requested.hash = '';
    return answered.href !== requested.href;
  } catch {
    return true;
  }
}

function originOf(url: string, base: string): string | undefined {
  try {
    return hostPart(new URL(url, base));
  } catch {
    return undefined;
  }
}

/** scheme://host[:port]: enough to name the target and show a downgrade, never a credential. */
function hostPart(url: URL): string {
  return `${url.protocol}//${url.host}`;
}
