import * as z from 'zod/mini';
import '../../core/zod.js';
import type { EwsCredentials } from '../../ews/auth/types.js';

/**
 * A bare host name or IP address: `mail.contoso.com`, `10.0.0.5`, `::1`. No scheme, port or path,
 * so `https://mail.contoso.com` in a secret is an error at once instead of a host nothing matches.
 */
const HOST_PATTERN =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.?$|^\[?[0-9a-f:.]+\]?$/i;

const allowedHosts = z.optional(z.array(z.string().check(z.regex(HOST_PATTERN))).check(z.minLength(1)));

/**
 * The JSON a credentials secret must hold (see EwsCredentials in lib/ews). An OAuth2 secret says
 * which mail source it serves (`source`: `ews`, the default, or `graph`): the same Entra app may
 * hold both permissions, but a token for one API is useless to the other, and the default hosts
 * the secret may be sent to differ (allowed-hosts.ts).
 */
export const ewsCredentialsSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('basic'),
    username: z.string().check(z.minLength(1)),
    password: z.string().check(z.minLength(1)),
    allowedHosts,
  }),
  z.object({
    type: z.literal('oauth2'),
    tenantId: z.string().check(z.minLength(1)),
    clientId: z.string().check(z.minLength(1)),
    clientSecret: z.string().check(z.minLength(1)),
    tokenUrl: z.optional(z.url()),
    source: z.optional(z.enum(['ews', 'graph'])),
    allowedHosts,
  }),
]);

/** Credentials as a secret holds them: EWS credentials, an OAuth2 one possibly for Graph. */
export type MailCredentials = z.infer<typeof ewsCredentialsSchema>;

/** The mail source an OAuth2 secret serves; Basic credentials are for EWS only. */
export function credentialsSource(credentials: MailCredentials): 'ews' | 'graph' {
  return credentials.type === 'oauth2' ? (credentials.source ?? 'ews') : 'ews';
}

// Fails to compile if the schema and lib/ews's type drift apart (besides `source`).
type Parsed = z.infer<typeof ewsCredentialsSchema>;
type WithoutSource<T> = T extends unknown ? Omit<T, 'source'> : never;
const _sameShape: [WithoutSource<Parsed>, EwsCredentials] extends [EwsCredentials, WithoutSource<Parsed>]
  ? true
  : never = true;
void _sameShape;

/** Credentials as a resolver hands them to the mail source. */
export interface ResolvedCredentials {
  credentials: MailCredentials;
  /**
   * Changes whenever the stored secret changes (Secrets Manager's VersionId): after a rejection,
   * an unchanged version means the server refused the current credentials, not stale ones.
   */
  version: string;
  /** Epoch ms until which these may be used without asking the resolver again. */
  expiresAt: number;
}

export interface ResolveOptions {
  /** Read the secret again, bypassing (and then refreshing) any cache. */
  fresh?: boolean;
}

/** Resolves a mailbox's credentialsRef (a secret name, `local:<name>`) to its credentials. */
export type CredentialsResolver = (
  credentialsRef: string,
  options?: ResolveOptions,
) => Promise<ResolvedCredentials>;

/** Credentials could not be obtained. Names the reference and the reason, never the content. */
export class CredentialsUnavailableError extends Error {
  override readonly name = 'CredentialsUnavailableError';
  /**
   * True when asking again later may succeed (Secrets Manager throttled or unreachable): a
   * mailbox must not be parked for a blip. False when an operator must fix the secret.
   */
  readonly retryable: boolean;

  constructor(
    readonly credentialsRef: string,
    readonly reason: string,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(`credentials ${credentialsRef} unavailable: ${reason}`, options);
    this.retryable = options?.retryable ?? false;
  }
}

/**
 * Parses secret text into credentials. The error lists the offending fields and what is wrong
 * with them, but no values: zod's messages could echo the input, so only paths and codes are used.
 */
export function parseCredentials(credentialsRef: string, text: string): MailCredentials {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CredentialsUnavailableError(credentialsRef, 'the secret is not JSON');
  }
  const parsed = ewsCredentialsSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`);
    throw new CredentialsUnavailableError(
      credentialsRef,
      `the secret is not valid credentials (${problems.join('; ')}); expected ` +
        `{type:'basic',username,password,allowedHosts} or {type:'oauth2',tenantId,clientId,clientSecret}, ` +
        `allowedHosts being host names like ["mail.contoso.com"]`,
    );
  }
  return parsed.data;
}
