// The Entra ID client-credentials flow, as far as a daemon app sees it: POST
// /{tenant}/oauth2/v2.0/token with client_id, client_secret and scope .default gives a Bearer
// token for Graph; errors are Entra's JSON ({error, error_description, error_codes, ...}).
// Tokens are JWT-shaped and signed with this instance's key, so validating one needs no server
// state; a restarted simulator refuses older tokens (clients fetch a new one on 401).
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { hashSeed, Random } from '../random.js';
import { guidFrom } from './ids.js';

export interface GraphCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const AUDIENCE = 'https://graph.microsoft.com';
export const TOKEN_LIFETIME_SECONDS = 3599;

/** Deterministic from the seed, so a CLI run prints the same values every time. */
export function defaultCredentials(seed: number): GraphCredentials {
  const rng = new Random(hashSeed(seed, 'graph-credentials'));
  const tenantId = guidFrom(rng.bytes(16));
  const clientId = guidFrom(rng.bytes(16));
  // Entra secrets look like "abC8Q~...": 40 characters with a '~' at position 4.
  const secret = rng.bytes(30).toString('base64url').slice(0, 36);
  return { tenantId, clientId, clientSecret: `Sim${seed % 10}Q~${secret}` };
}

export interface TokenAnswer {
  status: number;
  json: unknown;
}

function entraError(status: number, error: string, code: number, text: string): TokenAnswer {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19);
  return {
    status,
    json: {
      error,
      error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}Z`,
      error_codes: [code],
      timestamp: `${timestamp}Z`,
      trace_id: traceId,
      correlation_id: correlationId,
    },
  };
}

export class GraphAuthority {
  private readonly key = randomBytes(32);

  constructor(
    readonly credentials: GraphCredentials,
    /** Other names the tenant answers to in the token URL (its domain). */
    private readonly tenantAliases: readonly string[],
    private readonly now: () => number = Date.now,
  ) {}

  /** POST /{tenant}/oauth2/v2.0/token with an application/x-www-form-urlencoded body. */
  token(tenant: string, body: string): TokenAnswer {
    const { tenantId, clientId, clientSecret } = this.credentials;
    const known = [tenantId, ...this.tenantAliases].some((t) => t.toLowerCase() === tenant.toLowerCase());
    if (!known) {
      return entraError(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    }
    const form = new URLSearchParams(body);
    const grant = form.get('grant_type');
    if (grant !== 'client_credentials') {
      return entraError(
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${grant ?? ''}'.`,
      );
    }
    if (form.get('client_id') !== clientId) {
      return entraError(
        400,
        'invalid_client',
        700016,
        `Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory '${tenantId}'.`,
      );
    }
    const secret = Buffer.from(form.get('client_secret') ?? '');
    const expected = Buffer.from(clientSecret);
    if (secret.length !== expected.length || !timingSafeEqual(secret, expected)) {
      return entraError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    }
    if (form.get('scope') !== GRAPH_SCOPE) {
      return entraError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${form.get('scope') ?? ''} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    return {
      status: 200,
      json: {
        token_type: 'Bearer',
        expires_in: TOKEN_LIFETIME_SECONDS,
        ext_expires_in: TOKEN_LIFETIME_SECONDS,
        access_token: this.issue(),
      },
    };
  }

  /** Undefined when the Authorization header carries a valid token, else Graph's 401 message. */
  verify(authorization: string | undefined): string | undefined {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) return 'Access token is empty.';
    const parts = match[1]!.split('.');
    if (parts.length !== 3) return 'IDX14100: JWT is not well formed, there are no dots (.).';
    const signature = Buffer.from(parts[2]!, 'base64url');
    const expected = this.sign(`${parts[0]}.${parts[1]}`);
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
      return 'Access token validation failure. Invalid audience.';
    }
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { exp: number };
    if (claims.exp * 1000 <= this.now()) return 'Lifetime validation failed, the token is expired.';
    return undefined;
  }

  private issue(): string {
    const now = Math.floor(this.now() / 1000);
    const { tenantId, clientId } = this.credentials;
    const header = { typ: 'JWT', alg: 'HS256', kid: 'simulator' };
    const claims = {
      aud: AUDIENCE,
      iss: `https://sts.windows.net/${tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + TOKEN_LIFETIME_SECONDS,
      appid: clientId,
      idtyp: 'app',
      roles: ['Mail.Read', 'Contacts.Read', 'User.Read.All'],
      tid: tenantId,
      uti: randomBytes(16).toString('base64url'),
    };
    const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const unsigned = `${encode(header)}.${encode(claims)}`;
    return `${unsigned}.${this.sign(unsigned).toString('base64url')}`;
  }

  private sign(text: string): Buffer {
    return createHmac('sha256', this.key).update(text).digest();
  }
}
