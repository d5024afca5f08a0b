// The schema of a stored Mailbox (a registry row): the one declaration of what a valid mailbox is.
// The CLI builds `mailbox add`'s input schema on these fields; the registry adapter parses every
// row it reads with `mailboxSchema`, so the worker never runs a mailbox the CLI would refuse.
import * as z from 'zod/mini';
import './zod.js';
import type { Mailbox } from './model.js';

/**
 * The most sync calls in flight per mailbox a row may ask for: the stack's limit too
 * (infra/config.ts). Exchange Online allows 5 per mailbox; an on-premises throttling policy may
 * allow more, so the row may say so.
 */
export const MAX_CONCURRENT_SYNCS_LIMIT = 50;
/** The most changes one SyncFolderItems call may ask for (MaxChangesReturned). */
export const MAX_PAGE_SIZE = 512;

/** The same FieldURI shape the EWS request builder accepts (lib/ews/requests/shapes.ts). */
const FIELD_URI = /^[a-z]+:[A-Za-z]+$/;
/** `IPF.Note`, `IPF.Appointment`, `IPF.Note.Custom`. */
const FOLDER_CLASS = /^IPF(\.[A-Za-z0-9_-]+)*$/;
const DISTINGUISHED_ID = /^[a-z]+$/;

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
  distinguishedId: z
    .string()
    .check(z.regex(DISTINGUISHED_ID, 'not a valid distinguished folder id (inbox, sentitems, ...)')),
  folderClass: z.string().check(z.regex(FOLDER_CLASS, 'not a valid folder class (IPF.Note, ...)')),
  fieldUri: z.string().check(z.regex(FIELD_URI, 'not a valid FieldURI (item:Subject, ...)')),
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
  distinguishedIds: z.optional(z.array(mailboxFields.distinguishedId)),
  folderClasses: z.optional(z.array(mailboxFields.folderClass)),
});

/** A registry row as the core may use it. Unknown attributes are dropped. */
export const mailboxSchema = z.object({
  mailboxId: mailboxFields.mailboxId,
  smtpAddress: mailboxFields.smtpAddress,
  endpoint,
  credentialsRef: mailboxFields.credentialsRef,
  folderFilter: folderFilterSchema,
  pageSize: mailboxFields.pageSize,
  properties: z.array(mailboxFields.fieldUri),
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
