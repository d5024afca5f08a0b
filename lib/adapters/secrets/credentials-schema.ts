import * as z from 'zod/mini';
import '../../core/zod.js';
import type { EwsCredentials } from '../../ews/auth/types.js';

/** The JSON a credentials secret must hold (see EwsCredentials in lib/ews). */
export const ewsCredentialsSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('basic'),
    username: z.string().check(z.minLength(1)),
    password: z.string().check(z.minLength(1)),
  }),
  z.object({
    type: z.literal('oauth2'),
    tenantId: z.string().check(z.minLength(1)),
    clientId: z.string().check(z.minLength(1)),
    clientSecret: z.string().check(z.minLength(1)),
    tokenUrl: z.optional(z.url()),
  }),
]);

// Fails to compile if the schema and lib/ews's type drift apart.
type Parsed = z.infer<typeof ewsCredentialsSchema>;
const _sameShape: [Parsed, EwsCredentials] extends [EwsCredentials, Parsed] ? true : never = true;
void _sameShape;

/** Credentials could not be obtained. Names the reference and the reason, never the content. */
export class CredentialsUnavailableError extends Error {
  override readonly name = 'CredentialsUnavailableError';
  constructor(
    readonly credentialsRef: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`credentials ${credentialsRef} unavailable: ${reason}`, options);
  }
}

/**
 * Parses secret text into credentials. The error lists the offending fields and what is wrong
 * with them, but no values: zod's messages could echo the input, so only paths and codes are used.
 */
export function parseCredentials(credentialsRef: string, text: string): EwsCredentials {
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
      `the secret is not valid credentials (${problems.join('; ')}); expected {type:'basic',username,password} or {type:'oauth2',tenantId,clientId,clientSecret}`,
    );
  }
  return parsed.data;
}
