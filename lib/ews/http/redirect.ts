// Redirects are never followed (lib/http/redirect.ts says why). Callers fetch with
// `redirect: 'manual'` and hand every answer here first; this turns what lib/http found into an
// EwsRedirectError with the EWS reading of it.

import { describeRedirect, inspectRedirect } from '../../http/redirect.js';
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
  const redirect = inspectRedirect(response, requestUrl);
  if (redirect === undefined) return undefined;
  const { status, target, locationOrigin } = redirect;
  if (!redirect.followed && target !== undefined && ERROR_PAGE.test(target.pathname)) {
    return new EwsRedirectError(
      'transient',
      'RedirectToErrorPage',
      `${what}: HTTP ${status} to the server's error page on ${target.host}: a server-side failure, retried later`,
      status,
      locationOrigin,
    );
  }
  const advice =
    redirect.followed || !redirect.hasLocation ? '' : ': point the configuration at the server that answers';
  return new EwsRedirectError(
    otherKind,
    'Redirect',
    `${describeRedirect(what, redirect)}${advice}`,
    status,
    locationOrigin,
  );
}
