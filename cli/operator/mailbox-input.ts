// Validation of `mailbox add`: everything an operator types is checked before anything is
// written, and each problem names its flag. The fields are those of the stored Mailbox schema
// (lib/core/model-schema.ts), which the registry also applies to every row it reads; this adds
// what only input has: strings to parse, non-empty lists, https and the secret name prefix.
import { z } from 'zod';
import type { Mailbox, MailboxSource } from '../../lib/core/index.js';
import { DEFAULT_ITEM_PROPERTIES } from '../../lib/core/mirror/item-properties.js';
import {
  MAX_CONCURRENT_SYNCS_LIMIT,
  MAX_PAGE_SIZE,
  mailboxFields,
  mailboxSchema,
} from '../../lib/core/model-schema.js';
import { mailboxAddress } from '../../lib/core/operator/mailboxes.js';
import {
  envValue,
  MAX_CONCURRENT_SYNCS_BY_SOURCE,
  readSettings,
  SETTINGS,
} from '../../lib/settings/index.js';
import { UsageError } from './errors.js';

export { MAX_CONCURRENT_SYNCS_LIMIT, MAX_PAGE_SIZE };
// The defaults and ranges are the settings table's (lib/settings), the same the stack deploys.
export const DEFAULT_PAGE_SIZE = SETTINGS.pageSize.default;
export const DEFAULT_MAX_CONCURRENT_SYNCS = SETTINGS.maxConcurrentSyncsPerMailbox.default;

export const DEFAULT_GRAPH_URL = 'https://graph.microsoft.com/v1.0';

export interface MailboxAddFlags {
  source?: string;
  /** EWS: the address to impersonate. */
  smtp?: string;
  endpoint?: string;
  /** Graph: the tenant and the user whose mailbox is read. */
  tenant?: string;
  user?: string;
  graphUrl?: string;
  credentials: string;
  pageSize?: string;
  maxConcurrent?: string;
  folders?: string;
  kinds?: string;
  properties?: string;
  allowInsecureHttp?: boolean;
}

export interface MailboxDefaults {
  pageSize: number;
  maxConcurrentSyncs: number;
  /** Secrets Manager names must start with it (the worker may read nothing else). */
  secretPrefix: string;
}

const list = <T extends string>(element: z.core.$ZodType<T, string>, what: string) =>
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

function httpUrl(allowInsecureHttp: boolean) {
  return z
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
    );
}

/** Why a source allows fewer concurrent calls than a row may ask for. */
const CAP_REASON = { ews: '', graph: ' (Graph allows 4 concurrent requests per app and mailbox)' } as const;

/** Flags each source needs: a missing one is reported by name, beside every other problem. */
const REQUIRED_BY_SOURCE = { ews: ['smtp', 'endpoint'], graph: ['tenant', 'user'] } as const;

function schema(defaults: MailboxDefaults, allowInsecureHttp: boolean) {
  return z
    .object({
      source: z.enum(['ews', 'graph'], 'must be ews or graph').default('ews'),
      smtp: z.string().pipe(mailboxFields.smtpAddress).optional(),
      endpoint: httpUrl(allowInsecureHttp).optional(),
      tenant: z.string().pipe(mailboxFields.tenantId).optional(),
      user: z.string().pipe(mailboxFields.graphUser).optional(),
      graphUrl: httpUrl(allowInsecureHttp).optional(),
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
      folders: list(mailboxFields.wellKnownName, 'well-known folder name').optional(),
      kinds: list(mailboxFields.folderKind, 'folder kind').optional(),
      properties: list(mailboxFields.property, 'property').optional(),
    })
    .superRefine((input, ctx) => {
      for (const flag of REQUIRED_BY_SOURCE[input.source]) {
        if (input[flag] === undefined)
          ctx.addIssue({
            code: 'custom',
            path: [flag],
            message: `is required with --source ${input.source}`,
          });
      }
      const cap = MAX_CONCURRENT_SYNCS_BY_SOURCE[input.source];
      if (input.maxConcurrent !== undefined && input.maxConcurrent > cap)
        ctx.addIssue({
          code: 'custom',
          path: ['maxConcurrent'],
          message: `must be at most ${cap} with --source ${input.source}${CAP_REASON[input.source]}`,
        });
      const foreign =
        input.source === 'ews' ? (['tenant', 'user', 'graphUrl'] as const) : (['endpoint'] as const);
      for (const flag of foreign) {
        if (input[flag] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [flag],
            message: `does not apply to --source ${input.source}`,
          });
      }
    });
}

const FLAG_OF: Record<string, string> = {
  source: '--source',
  smtp: '--smtp',
  endpoint: '--endpoint',
  tenant: '--tenant',
  user: '--user',
  graphUrl: '--graph-url',
  credentials: '--credentials',
  pageSize: '--page-size',
  maxConcurrent: '--max-concurrent',
  folders: '--folders',
  kinds: '--kinds',
  properties: '--properties',
  // The stored row's fields (mailboxSchema), for the final check.
  mailboxId: '--smtp/--user',
  credentialsRef: '--credentials',
  maxConcurrentSyncs: '--max-concurrent',
  folderFilter: '--folders/--kinds',
};

function usageError(issues: readonly { path: readonly PropertyKey[]; message: string }[]): UsageError {
  const problems = issues.map((issue) => {
    const field = issue.path[0] === 'source' && issue.path.length > 1 ? issue.path[1] : issue.path[0];
    const flag = FLAG_OF[String(field)] ?? String(field);
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
  if (input.folders) folderFilter.wellKnownNames = input.folders;
  if (input.kinds) folderFilter.kinds = input.kinds;
  // The superRefine above guarantees the flags each source needs.
  const source: MailboxSource =
    input.source === 'ews'
      ? { kind: 'ews', smtpAddress: input.smtp!, endpoint: input.endpoint! }
      : {
          kind: 'graph',
          tenantId: input.tenant!,
          userId: input.user!,
          baseUrl: input.graphUrl ?? DEFAULT_GRAPH_URL,
        };
  const row: Mailbox = {
    mailboxId: mailboxAddress({ source }).toLowerCase(),
    source,
    credentialsRef: input.credentials,
    // Empty means the core's default filter (mail, calendar, contacts, tasks).
    folderFilter,
    pageSize: input.pageSize ?? defaults.pageSize,
    properties: input.properties ?? [...DEFAULT_ITEM_PROPERTIES],
    // The stack's default serves every source; a Graph mailbox never gets more than Graph allows.
    maxConcurrentSyncs:
      input.maxConcurrent ??
      Math.min(defaults.maxConcurrentSyncs, MAX_CONCURRENT_SYNCS_BY_SOURCE[source.kind]),
    status: 'enabled',
    createdAt: now,
    updatedAt: now,
  };
  // Never write a row the registry would refuse when it reads it back (an over-long address).
  const stored = mailboxSchema.safeParse(row);
  if (!stored.success) throw usageError(stored.error.issues);
  return row;
}

// How an operator names a mailbox; the core's operator use cases report it too.
export { mailboxAddress };

/** Where the mailbox is read from, for tables. */
export function mailboxEndpoint(mailbox: Pick<Mailbox, 'source'>): string {
  const { source } = mailbox;
  return source.kind === 'ews' ? source.endpoint : `graph ${source.tenantId} ${source.baseUrl}`;
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
  const variables = {
    pageSize: names.pageSize,
    maxConcurrentSyncsPerMailbox: names.maxConcurrent,
    secretPrefix: names.secretPrefix,
  };
  const settings = Object.keys(variables) as (keyof typeof variables)[];
  // Keyed by the table's variable names, so the table's defaults and ranges apply.
  const raw = Object.fromEntries(settings.map((name) => [SETTINGS[name].env, env[variables[name]]]));
  const read = readSettings(settings, 'env', raw);
  if (!read.success) {
    const problems = read.issues.map((i) => `${variables[i.setting]}: ${i.message}, got ${String(i.got)}`);
    throw new UsageError(problems.join('; '));
  }
  return {
    pageSize: read.values.pageSize,
    maxConcurrentSyncs: read.values.maxConcurrentSyncsPerMailbox,
    secretPrefix: envValue('secretPrefix', read.values.secretPrefix),
  };
}
