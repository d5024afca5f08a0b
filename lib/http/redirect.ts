// Redirects are never followed by any client in this code base: a followed 3xx re-sends the body
// and (same origin) the Authorization header to whatever the Location names, accepts an
// https -> http downgrade, and parses the target's answer; a followed 307 from a token endpoint
// re-posts the client secret. Callers fetch with `redirect: 'manual'` and hand every answer to
// inspectRedirect, then turn what it found into their own error.

export interface RedirectAnswer {
  status: number;
  /** The HTTP client followed despite `redirect: 'manual'`, or the answer came from another URL. */
  followed: boolean;
  /** The Location resolved against the request URL; undefined when absent or unparsable. */
  target?: URL;
  /** A Location header was present (even if unparsable). */
  hasLocation: boolean;
  /** scheme://host[:port] of the target or of the URL that answered; never a path or query (they may carry tokens). */
  locationOrigin?: string;
  /** The target is plain http while the request was https. */
  downgrade: boolean;
}

/** What kind of redirect `response` is; undefined when it is none. */
export function inspectRedirect(response: Response, requestUrl: string): RedirectAnswer | undefined {
  const status = response.status;
  // A client that follows without saying so still answers from another URL.
  if (response.redirected || ((status < 300 || status > 399) && movedFrom(response.url, requestUrl))) {
    const origin = originOf(response.url, requestUrl);
    return {
      status,
      followed: true,
      hasLocation: false,
      downgrade: false,
      ...(origin === undefined ? {} : { locationOrigin: origin }),
    };
  }
  if (status < 300 || status > 399) return undefined;
  const location = response.headers.get('location')?.trim() ?? '';
  if (location === '') return { status, followed: false, hasLocation: false, downgrade: false };
  let target: URL | undefined;
  try {
    target = new URL(location, requestUrl);
  } catch {
    return { status, followed: false, hasLocation: true, downgrade: false };
  }
  return {
    status,
    followed: false,
    target,
    hasLocation: true,
    locationOrigin: hostPart(target),
    downgrade: target.protocol === 'http:' && new URL(requestUrl).protocol === 'https:',
  };
}

/**
 * A sentence saying what `what` (e.g. "token request") was answered, naming the target's origin
 * only. Never mentions the query of either URL.
 */
export function describeRedirect(what: string, redirect: RedirectAnswer): string {
  const where = redirect.locationOrigin;
  if (redirect.followed) {
    return `${what}: the HTTP client followed a redirect to ${where ?? 'an unknown address'} although told not to; answer ignored`;
  }
  if (!redirect.hasLocation) return `${what}: HTTP ${redirect.status} without a Location`;
  const downgrade = redirect.downgrade ? ' (an https to http downgrade)' : '';
  return `${what}: HTTP ${redirect.status} redirect to ${where ?? 'an unparsable Location'}${downgrade}, not followed`;
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
export function hostPart(url: URL): string {
  return `${url.protocol}//${url.host}`;
}
