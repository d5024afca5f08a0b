// The queue message contract. The worker handler validates every record with parseSyncJob; an
// invalid one goes to the DLQ with the reason (never a silent skip).
import * as z from 'zod/mini';
import './zod.js';
import { InvalidJobError } from './errors.js';
import type { SyncJob } from './ports.js';

const id = z.string().check(z.minLength(1), z.maxLength(1024));
const count = z.number().check(z.int(), z.nonnegative());

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

const pageToken = z.string().check(
  z.minLength(1),
  // An empty token is reported once, by minLength.
  z.refine(
    (token) => token === '' || decodePageToken(token) !== undefined,
    'not a registry page token (base64url JSON of a registry key)',
  ),
);

const folderJob = z.strictObject({
  v: z.literal(1),
  type: z.literal('folder'),
  mailboxId: id,
  folderId: id,
  jobId: id,
  expectVersion: count,
  hop: count,
  attempt: z.optional(count),
});

const hierarchyJob = z.strictObject({
  v: z.literal(1),
  type: z.literal('hierarchy'),
  mailboxId: id,
  jobId: id,
  expectVersion: count,
  hop: count,
  attempt: z.optional(count),
});

const fanOutJob = z.strictObject({
  v: z.literal(1),
  type: z.literal('fanout'),
  jobId: id,
  next: pageToken,
  tickAt: count,
  hop: count,
});

const syncJob = z.discriminatedUnion('type', [folderJob, hierarchyJob, fanOutJob]);

/** Parses a queue message body. Throws InvalidJobError naming the first problems found. */
export function parseSyncJob(body: string, messageId?: string): SyncJob {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new InvalidJobError(`body is not JSON (${(error as Error).message})`, messageId);
  }
  const result = syncJob.safeParse(json);
  if (!result.success) {
    const reason = result.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
      .join('; ');
    throw new InvalidJobError(reason, messageId);
  }
  return result.data as SyncJob;
}

/** The body sent to the queue (the inverse of parseSyncJob). */
export function serializeSyncJob(job: SyncJob): string {
  return JSON.stringify(job);
}
