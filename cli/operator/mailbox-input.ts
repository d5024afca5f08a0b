// Validation of `mailbox add`: everything an operator types is checked before anything is
// written, and each problem names its flag. The fields are those of the stored Mailbox schema
// (lib/core/model-schema.ts), which the registry also applies to every row it reads; this adds
// what only input has: strings to parse, non-empty lists, https and the secret name prefix.
import { z } from 'zod';
import type { Mailbox } from '../../lib/core/index.js';
import {
  MAX_CONCURRENT_SYNCS_LIMIT,
  MAX_PAGE_SIZE,
  mailboxFields,
  mailboxSchema,
} from '../../lib/core/model-schema.js';
import { UsageError } from './errors.js';

export { MAX_CONCURRENT_SYNCS_LIMIT, MAX_PAGE_SIZE };
export const DEFAULT_PAGE_SIZE = 512;
export const DEFAULT_MAX_CONCURRENT_SYNCS = 4;

export interface MailboxAddFlags {
  smtp: string;
  endpoint: string;
  credentials: string;
  pageSize?: string;
  maxConcurrent?: string;
  folders?: string;
  folderClasses?: string;
  properties?: string;
  allowInsecureHttp?: boolean;
}

export interface MailboxDefaults {
  pageSize: number;
  maxConcurrentSyncs: number;
  /** Secrets Manager names must start with it (the worker may read nothing else). */
  secretPrefix: string;
}

const list = (element: z.core.$ZodType<string, string>, what: string) =>
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part.length > 0),
    )
    .pipe(z.array(element).min(1, `at least one ${what}`));

const integer = (field: z.core.$ZodType<number, number>) =>
  z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(field);

function schema(defaults: MailboxDefaults, allowInsecureHttp: boolean) {
  return z.object({
    smtp: mailboxFields.smtpAddress,
    endpoint: z
      .string()
      .pipe(mailboxFields.absoluteUrl)
      .refine(
        (value) => {
          // Runs even after z.url() failed: that problem is reported once, by z.url().
          if (!URL.canParse(value)) return true;
          const protocol = new URL(value).protocol;
          return protocol === 'https:' || (allowInsecureHttp && protocol === 'http:');
        },
        allowInsecureHttp
          ? 'must be an http(s) URL'
          : 'must be an https:// URL (use --allow-insecure-http only for a local simulator)',
      ),
    credentials: z
      .string()
      .pipe(mailboxFields.credentialsRef)
      .refine(
        (value) =>
          (value.startsWith(defaults.secretPrefix) && value.length > defaults.secretPrefix.length) ||
          /^local:.+/.test(value),
        `must be a Secrets Manager name under ${defaults.secretPrefix} or local:<name>`,
      ),
    pageSize: integer(mailboxFields.pageSize).optional(),
    maxConcurrent: integer(mailboxFields.maxConcurrentSyncs).optional(),
    folders: list(mailboxFields.distinguishedId, 'distinguished folder id').optional(),
    folderClasses: list(mailboxFields.folderClass, 'folder class').optional(),
    properties: list(mailboxFields.fieldUri, 'FieldURI').optional(),
  });
}

const FLAG_OF: Record<string, string> = {
  smtp: '--smtp',
  endpoint: '--endpoint',
  credentials: '--credentials',
  pageSize: '--page-size',
  maxConcurrent: '--max-concurrent',
  folders: '--folders',
  folderClasses: '--folder-classes',
  properties: '--properties',
  // The stored row's fields (mailboxSchema), for the final check.
  mailboxId: '--smtp',
  smtpAddress: '--smtp',
  credentialsRef: '--credentials',
  maxConcurrentSyncs: '--max-concurrent',
  folderFilter: '--folders/--folder-classes',
};

function usageError(issues: readonly { path: readonly PropertyKey[]; message: string }[]): UsageError {
  const problems = issues.map((issue) => {
    const flag = FLAG_OF[String(issue.path[0])] ?? String(issue.path[0]);
    // Never echo the credentials value: a pasted secret must not end up in a terminal log.
    return `${flag}: ${issue.message}`;
  });
  return new UsageError(`invalid mailbox: ${problems.join('; ')}`);
}

/** Builds the registry row, or throws a UsageError listing every problem by flag. */
export function parseMailboxAdd(flags: MailboxAddFlags, defaults: MailboxDefaults, now: number): Mailbox {
  const result = schema(defaults, flags.allowInsecureHttp === true).safeParse(flags);
  if (!result.success) throw usageError(result.error.issues);
  const input = result.data;
  const folderFilter: Mailbox['folderFilter'] = {};
  if (input.folders) folderFilter.distinguishedIds = input.folders;
  if (input.folderClasses) folderFilter.folderClasses = input.folderClasses;
  const row: Mailbox = {
    mailboxId: input.smtp.toLowerCase(),
    smtpAddress: input.smtp,
    endpoint: input.endpoint,
    credentialsRef: input.credentials,
    // Empty means the core's default filter (mail, calendar, contacts, tasks).
    folderFilter,
    pageSize: input.pageSize ?? defaults.pageSize,
    properties: input.properties ?? [],
    maxConcurrentSyncs: input.maxConcurrent ?? defaults.maxConcurrentSyncs,
    status: 'enabled',
    createdAt: now,
    updatedAt: now,
  };
  // Never write a row the registry would refuse when it reads it back (an over-long address).
  const stored = mailboxSchema.safeParse(row);
  if (!stored.success) throw usageError(stored.error.issues);
  return row;
}

/** Defaults from the environment the stack documents (DEFAULT_PAGE_SIZE, ...), validated. */
export function mailboxDefaults(
  env: Record<string, string | undefined>,
  names: {
    pageSize: string;
    maxConcurrent: string;
    secretPrefix: string;
  },
): MailboxDefaults {
  const read = (variable: string, fallback: number, max: number): number => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > max)
      throw new UsageError(`${variable} must be a whole number in 1..${max}, got ${raw}`);
    return value;
  };
  return {
    pageSize: read(names.pageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    maxConcurrentSyncs: read(names.maxConcurrent, DEFAULT_MAX_CONCURRENT_SYNCS, MAX_CONCURRENT_SYNCS_LIMIT),
    secretPrefix: env[names.secretPrefix] || 'exchange-sync/',
  };
}
