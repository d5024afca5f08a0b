// Field schemas the job kinds share, and the registry page token a fan-out job carries.
import * as z from 'zod/mini';
import '../zod.js';

/** A non-empty id: mailbox, folder or job. */
export const id = z.string().check(z.minLength(1), z.maxLength(1024));
export const count = z.number().check(z.int(), z.nonnegative());

/**
 * Longer than any token the registry issues: DynamoDB keys hold at most 2 KiB + 1 KiB, which
 * base64url of their JSON keeps well under this (mailbox ids are SMTP addresses).
 */
const MAX_PAGE_TOKEN_LENGTH = 8192;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * The registry page key a fanout job's `next` token holds: base64url (unpadded) of the JSON
 * `{"pk":"...","sk":"..."}`, two non-empty strings (DynamoMailboxRegistry issues them and reads
 * them back with this function). Undefined for anything else.
 */
export function decodePageToken(token: string): { pk: string; sk: string } | undefined {
  if (token.length > MAX_PAGE_TOKEN_LENGTH || !BASE64URL.test(token) || token.length % 4 === 1)
    return undefined;
  let key: unknown;
  try {
    const binary = atob(token.replaceAll('-', '+').replaceAll('_', '/'));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    key = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return undefined;
  const { pk, sk, ...rest } = key as Record<string, unknown>;
  if (typeof pk !== 'string' || typeof sk !== 'string' || pk === '' || sk === '') return undefined;
  if (Object.keys(rest).length > 0) return undefined;
  return { pk, sk };
}

export const pageToken = z.string().check(
  z.minLength(1),
  // An empty token is reported once, by minLength.
  z.refine(
    (token) => token === '' || decodePageToken(token) !== undefined,
    'not a registry page token (base64url JSON of a registry key)',
  ),
);

/** What every job that runs one leased page against a cursor carries. */
export const pageJobFields = {
  v: z.literal(1),
  mailboxId: id,
  /** Unique per enqueued job; a redelivery of the same message carries the same id. */
  jobId: id,
  /** Cursor version the job was issued for; stale jobs (version moved on) are dropped. */
  expectVersion: count,
  /** Number of follow-ups since the scheduler started the chain: our own loop guard. */
  hop: count,
  /** Consecutive failed tries of this page (transient errors); absent means 0. */
  attempt: z.optional(count),
};
