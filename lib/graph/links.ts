// Request URLs: initial requests built from baseUrl, and stored next/delta links checked before
// any use. A link is sent with our bearer token, so a stored (or answered) link pointing at another
// origin, or at another API on the same origin (/beta, another tenant's proxy path), is refused.

import { GraphError, GraphProtocolError } from './errors.js';

export class GraphBaseUrl {
  /** The base URL without a trailing slash: https://graph.microsoft.com/v1.0 */
  readonly href: string;
  readonly origin: string;
  /** The path prefix links must stay under, lower case, ending in '/': /v1.0/ */
  readonly #pathPrefix: string;

  constructor(baseUrl: string, allowInsecureHttp: boolean) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch (error) {
      throw new GraphError('permanent', 'InvalidBaseUrl', 'Graph baseUrl is not a URL', { cause: error });
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowInsecureHttp)) {
      throw new GraphError('permanent', 'InsecureBaseUrl', `Graph baseUrl must use https: ${url.origin}`);
    }
    if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
      throw new GraphError(
        'permanent',
        'InvalidBaseUrl',
        'Graph baseUrl must have no query, fragment or user info',
      );
    }
    const path = url.pathname.replace(/\/+$/, '');
    this.origin = url.origin;
    this.href = `${url.origin}${path}`;
    this.#pathPrefix = `${path.toLowerCase()}/`;
  }

  /** baseUrl + the URL-encoded path segments + `$select` (each field URL-encoded) when given. */
  build(segments: readonly string[], select?: readonly string[]): string {
    const path = segments.map((s) => encodeURIComponent(s)).join('/');
    const query =
      select !== undefined && select.length > 0 ? `?$select=${select.map(encodeURIComponent).join(',')}` : '';
    return `${this.href}/${path}${query}`;
  }

  /**
   * The link, parsed, when it is under this base URL; a GraphError `kind`/ForeignLink otherwise.
   * The message names the link's origin only: its query holds the delta token.
   */
  check(link: string, kind: 'permanent' | 'protocol', what: string): string {
    let url: URL;
    try {
      url = new URL(link);
    } catch (error) {
      throw foreignLink(kind, `${what}: the link is not an absolute URL`, { cause: error });
    }
    // The parsed pathname has dot segments resolved, so /v1.0/../beta/ cannot pass as /v1.0/.
    const under =
      url.origin === this.origin &&
      url.username === '' &&
      url.password === '' &&
      url.pathname.toLowerCase().startsWith(this.#pathPrefix);
    if (!under) {
      throw foreignLink(
        kind,
        `${what}: link to ${url.origin}/${url.pathname.split('/')[1] ?? ''} is not under ${this.href}; not sent, it would carry our token`,
      );
    }
    return url.href;
  }
}

/** An answered link is the server's mistake (protocol); a stored one is ours to fix (permanent). */
function foreignLink(
  kind: 'permanent' | 'protocol',
  message: string,
  options: { cause?: unknown } = {},
): GraphError {
  return kind === 'protocol'
    ? new GraphProtocolError('ForeignLink', message, options)
    : new GraphError(kind, 'ForeignLink', message, options);
}
