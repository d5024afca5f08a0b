// The schema of a stored Mailbox (a registry row): the one declaration of what a valid mailbox is.
// The CLI builds `mailbox add`'s input schema on these fields; the registry adapter parses every
// row it reads with `mailboxSchema`, so the worker never runs a mailbox the CLI would refuse.
import * as z from 'zod/mini';
import './zod.js';
import { ITEM_PROPERTIES } from './mirror/item-properties.js';
import { FOLDER_KINDS, type Mailbox } from './model.js';

/**
 * The most sync calls in flight per mailbox a row may ask for: the stack's limit too
 * (infra/config.ts). Exchange Online allows 5 per mailbox; an on-premises throttling policy may
 * allow more, so the row may say so.
 */
export const MAX_CONCURRENT_SYNCS_LIMIT = 50;
/** The most changes one page may ask for (EWS allows 512; Graph would allow more). */
export const MAX_PAGE_SIZE = 512;

/** `inbox`, `sentitems`, `msgfolderroot`: the names EWS and Graph share. */
const WELL_KNOWN_NAME = /^[a-z]+$/;
/** A Graph user: a UPN / SMTP address or an object id. Never a path. */
const GRAPH_USER = /^[A-Za-z0-9._%+'-]+(@[A-Za-z0-9.-]+)?$/;
const TENANT = /^[A-Za-z0-9.-]+$/;

const wholeNumber = (min: number, max: number) =>
  z
    .number()
    .check(
      z.int('must be a whole number'),
      z.gte(min, `must be at least ${min}`),
      z.lte(max, `must be at most ${max}`),
    );

const epochMs = z.number().check(z.int('must be a whole number'), z.nonnegative('must not be negative'));

/** One field each, with the messages `mailbox add` shows next to the flag. */
export const mailboxFields = {
  mailboxId: z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(1024, 'is too long')),
  smtpAddress: z.email('must be an SMTP address like user@example.com'),
  /** Any absolute URL; `endpoint` below also requires http(s). */
  absoluteUrl: z.url('must be an absolute URL'),
  credentialsRef: z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(2048, 'is too long')),
  pageSize: wholeNumber(1, MAX_PAGE_SIZE),
  maxConcurrentSyncs: wholeNumber(1, MAX_CONCURRENT_SYNCS_LIMIT),
  wellKnownName: z
    .string()
    .check(z.regex(WELL_KNOWN_NAME, 'not a valid well-known folder name (inbox, sentitems, ...)')),
  folderKind: z.enum(FOLDER_KINDS, `must be one of ${FOLDER_KINDS.join(', ')}`),
  property: z.enum(ITEM_PROPERTIES, `must be one of ${ITEM_PROPERTIES.join(', ')}`),
  tenantId: z.string().check(z.regex(TENANT, 'must be a tenant id or domain (contoso.onmicrosoft.com)')),
  graphUser: z.string().check(z.regex(GRAPH_USER, 'must be a user principal name or object id')),
};

/** An absolute http:// or https:// URL (the mail source decides whether plain http is allowed). */
const endpoint = mailboxFields.absoluteUrl.check(
  z.refine(
    // Runs even after the URL check failed: that problem is reported once, by the URL check.
    (value) => !URL.canParse(value) || ['http:', 'https:'].includes(new URL(value).protocol),
    'must be an http:// or https:// URL',
  ),
);

const folderFilterSchema = z.object({
  wellKnownNames: z.optional(z.array(mailboxFields.wellKnownName)),
  kinds: z.optional(z.array(mailboxFields.folderKind)),
});

/** An https:// URL, or http:// (the mail source decides whether plain http is allowed). */
export const mailboxSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ews'), endpoint, smtpAddress: mailboxFields.smtpAddress }),
  z.object({
    kind: z.literal('graph'),
    tenantId: mailboxFields.tenantId,
    userId: mailboxFields.graphUser,
    baseUrl: endpoint,
  }),
]);

/** A registry row as the core may use it. Unknown attributes are dropped. */
export const mailboxSchema = z.object({
  mailboxId: mailboxFields.mailboxId,
  source: mailboxSourceSchema,
  credentialsRef: mailboxFields.credentialsRef,
  folderFilter: folderFilterSchema,
  pageSize: mailboxFields.pageSize,
  properties: z.array(mailboxFields.property),
  maxConcurrentSyncs: mailboxFields.maxConcurrentSyncs,
  status: z.enum(['enabled', 'parked']),
  parkedReason: z.optional(z.string()),
  backoffUntil: z.optional(epochMs),
  createdAt: epochMs,
  updatedAt: epochMs,
});

type Parsed = z.output<typeof mailboxSchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
/** Compile-time check: `never` when the schema and the Mailbox interface (model.ts) disagree. */
export const MAILBOX_SCHEMA_MATCHES_MODEL: Same<Parsed, Mailbox> = true;

export type MailboxParse = { success: true; mailbox: Mailbox } | { success: false; issues: string[] };

/** Validates a stored row; each issue reads `path: message` (at most `maxIssues` of them). */
export function parseMailbox(row: unknown, maxIssues = 5): MailboxParse {
  const result = mailboxSchema.safeParse(row);
  if (result.success) return { success: true, mailbox: result.data };
  return {
    success: false,
    issues: result.error.issues
      .slice(0, maxIssues)
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`),
  };
}
