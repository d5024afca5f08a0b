// Validation of `mailbox add`: everything an operator types is checked before anything is
// written, and each problem names its flag.
import { z } from 'zod';
import type { Mailbox } from '../../lib/core/index.js';
import { UsageError } from './errors.js';

/** Exchange Online allows at most 5 concurrent EWS connections per mailbox. */
export const MAX_CONCURRENT_SYNCS_LIMIT = 5;
export const MAX_PAGE_SIZE = 512;
export const DEFAULT_PAGE_SIZE = 512;
export const DEFAULT_MAX_CONCURRENT_SYNCS = 4;

/** The same FieldURI shape the EWS request builder accepts (lib/ews/requests/shapes.ts). */
const FIELD_URI = /^[a-z]+:[A-Za-z]+$/;
/** `IPF.Note`, `IPF.Appointment`, `IPF.Note.Custom`. */
const FOLDER_CLASS = /^IPF(\.[A-Za-z0-9_-]+)*$/;
const DISTINGUISHED_ID = /^[a-z]+$/;

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

const list = (pattern: RegExp, what: string) =>
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part.length > 0),
    )
    .pipe(z.array(z.string().regex(pattern, `not a valid ${what}`)).min(1, `at least one ${what}`));

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

function schema(defaults: MailboxDefaults, allowInsecureHttp: boolean) {
  return z.object({
    smtp: z.email('must be an SMTP address like user@example.com'),
    endpoint: z.url('must be an absolute URL').refine(
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
      .refine(
        (value) =>
          (value.startsWith(defaults.secretPrefix) && value.length > defaults.secretPrefix.length) ||
          /^local:.+/.test(value),
        `must be a Secrets Manager name under ${defaults.secretPrefix} or local:<name>`,
      ),
    pageSize: integer(1, MAX_PAGE_SIZE).optional(),
    maxConcurrent: integer(1, MAX_CONCURRENT_SYNCS_LIMIT).optional(),
    folders: list(DISTINGUISHED_ID, 'distinguished folder id (inbox, sentitems, ...)').optional(),
    folderClasses: list(FOLDER_CLASS, 'folder class (IPF.Note, ...)').optional(),
    properties: list(FIELD_URI, 'FieldURI (item:Subject, ...)').optional(),
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
};

/** Builds the registry row, or throws a UsageError listing every problem by flag. */
export function parseMailboxAdd(flags: MailboxAddFlags, defaults: MailboxDefaults, now: number): Mailbox {
  const result = schema(defaults, flags.allowInsecureHttp === true).safeParse(flags);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const flag = FLAG_OF[String(issue.path[0])] ?? String(issue.path[0]);
      // Never echo the credentials value: a pasted secret must not end up in a terminal log.
      return `${flag}: ${issue.message}`;
    });
    throw new UsageError(`invalid mailbox: ${problems.join('; ')}`);
  }
  const input = result.data;
  const folderFilter: Mailbox['folderFilter'] = {};
  if (input.folders) folderFilter.distinguishedIds = input.folders;
  if (input.folderClasses) folderFilter.folderClasses = input.folderClasses;
  return {
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
