// The one table of the engine's settings: what the stack takes as CDK context, what the handlers
// and the CLI read from their environment, each default and each valid range, declared once.
// infra/config.ts, lib/app/env.ts and the CLI read it; the README's settings table is
// rendered from it (markdown.ts, checked by a test). lib/core does not import it: the core gets a
// plain CoreConfig, whose defaults a test checks against this table.
// zod/mini, as everywhere the worker bundle reaches (lib/core/zod.ts says why).
import * as z from 'zod/mini';
import '../core/zod.js';
import type { MailboxSource } from '../core/model.js';
import { MAX_CONCURRENT_SYNCS_LIMIT, MAX_PAGE_SIZE } from '../core/model-schema.js';

export interface Setting<T = unknown> {
  /** Environment variable the handlers (and the CLI) read; absent: only the stack uses it. */
  env?: string;
  /** CDK context key (`cdk deploy -c key=value`); absent: not a deploy setting. */
  context?: string;
  /** Applied when the value is absent or empty. `undefined`: the setting is optional. */
  default: T;
  /** Validates a value as it arrives: a string from the environment or `-c`, a number from cdk.json. */
  schema: z.ZodMiniType<T, unknown>;
  /** Inclusive bounds of a whole-number setting, for messages and the README. */
  range?: readonly [number, number];
  /** One line for the README's table. */
  description: string;
  /** The environment form when it differs from `String(value)`. */
  toEnv?(value: T): string;
  /** Reads the environment form back into the form `schema` checks. */
  fromEnv?(raw: string): string;
}

function wholeNumber(min: number, max: number) {
  return {
    schema: z.coerce
      .number('must be a number')
      .check(
        z.int('must be a whole number'),
        z.gte(min, `must be at least ${min}`),
        z.lte(max, `must be at most ${max}`),
      ),
    range: [min, max] as const,
  };
}

/**
 * One row: where it is read (kept in the row's type, so the stack's config type holds exactly
 * the context settings) and what it is, checked against Setting.
 */
function setting<T, const Where extends Pick<Setting, 'env' | 'context'>>(
  where: Where,
  row: Omit<Setting<T>, 'env' | 'context'>,
): Setting<T> & Where {
  return { ...where, ...row };
}

/** The maximum SQS visibility timeout is 12 h; 6x the worker timeout must stay under it. */
const MAX_LAMBDA_TIMEOUT_SECONDS = 900;
const DEFAULT_WORKER_TIMEOUT_SECONDS = 60;
/** A lease must outlive any invocation holding it: the worker timeout plus a margin. */
export const LEASE_MARGIN_SECONDS = 30;

export const SETTINGS = {
  tickRate: setting(
    // The handlers read it too: a folder is due half a tick before its interval is up.
    { context: 'tickRate', env: 'TICK_RATE_MINUTES' },
    {
      default: 5,
      ...wholeNumber(1, 1440),
      description: 'minutes between two scheduler ticks',
    },
  ),
  syncIntervalMinutes: setting(
    { context: 'syncIntervalMinutes', env: 'SYNC_INTERVAL_MINUTES' },
    {
      // 15: a tick every 5 minutes looks at every mailbox, but a folder is synced at most every
      // 15 minutes, so the server sees a third of the calls (0: every tick, the local run).
      default: 15,
      ...wholeNumber(0, 10_080),
      description: 'minimum minutes between two syncs of the same folder started by a tick; 0: every tick',
    },
  ),
  pageSize: setting(
    { context: 'pageSize', env: 'DEFAULT_PAGE_SIZE' },
    {
      default: 512,
      ...wholeNumber(1, MAX_PAGE_SIZE),
      description: 'changes per page, for mailboxes registered without one',
    },
  ),
  maxConcurrentSyncsPerMailbox: setting(
    { context: 'maxConcurrentSyncsPerMailbox', env: 'MAX_CONCURRENT_SYNCS_PER_MAILBOX' },
    {
      default: 4,
      ...wholeNumber(1, MAX_CONCURRENT_SYNCS_LIMIT),
      description:
        'sync calls in flight per mailbox across all workers, for mailboxes registered without one; Graph mailboxes get at most 4, and Exchange Online allows 5 over EWS',
    },
  ),
  workerMemoryMb: setting(
    { context: 'workerMemoryMb' },
    {
      default: 512,
      ...wholeNumber(128, 10_240),
      description: 'worker memory in MB',
    },
  ),
  workerTimeoutSeconds: setting(
    { context: 'workerTimeoutSeconds' },
    {
      default: DEFAULT_WORKER_TIMEOUT_SECONDS,
      ...wholeNumber(10, MAX_LAMBDA_TIMEOUT_SECONDS),
      description:
        "worker timeout; the queue's visibility timeout (6×) and the cursor lease (+30 s) follow it",
    },
  ),
  workerMaxConcurrency: setting(
    { context: 'workerMaxConcurrency' },
    {
      default: 50,
      ...wholeNumber(2, 1000),
      description:
        "at most this many workers at once: protects tenants, the account's Lambda concurrency and the bill",
    },
  ),
  maxHops: setting(
    { context: 'maxHops', env: 'MAX_HOPS' },
    {
      // What a real folder needs (issue 13): 500 pages of up to 512 changes carry a 256,000-item
      // folder's first sync in one chain; a larger folder goes on from its stored state at the
      // next tick, and a server that keeps claiming "more" is stopped after 500 calls, not 10,000.
      default: 500,
      ...wholeNumber(1, 1_000_000),
      description: 'follow-up pages in one chain before it stops until the next tick; nothing is lost',
    },
  ),
  ewsThrottleAlarmThreshold: setting(
    { context: 'ewsThrottleAlarmThreshold' },
    {
      default: 100,
      ...wholeNumber(1, 1_000_000),
      description: 'throttle answers per 5 minutes, sustained for 15 minutes, that raise the alarm',
    },
  ),
  alarmEmail: setting(
    { context: 'alarmEmail' },
    {
      default: undefined,
      schema: z.optional(z.email('must be an e-mail address')),
      description:
        'e-mail address subscribed to the alarm topic; without it the synth warns that alarms reach nobody',
    },
  ),
  secretPrefix: setting(
    { context: 'secretPrefix', env: 'SECRET_PREFIX' },
    {
      default: 'exchange-sync',
      schema: z
        .string()
        .check(
          z.regex(
            /^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/,
            'letters, digits and _+=.@- separated by "/", without leading or trailing "/"',
          ),
        ),
      description: 'Secrets Manager name prefix the worker may read (`<prefix>/*`)',
      // The handlers compare credential references against the prefix including its slash.
      toEnv: (value) => `${value}/`,
      fromEnv: (raw) => raw.replace(/\/$/, ''),
    },
  ),
  encryptionKeyArn: setting(
    { context: 'encryptionKeyArn' },
    {
      default: undefined,
      // A key ARN, not an alias: SQS, S3 and DynamoDB resolve an alias once, at deploy time, so
      // re-pointing it would silently leave the data under the old key.
      schema: z.optional(
        z
          .string()
          .check(
            z.regex(
              /^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-\d:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12})$/,
              'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>)',
            ),
          ),
      ),
      description:
        "customer-managed KMS key ARN for the tables, the state bucket and the queues (see _Encryption keys_); without it, DynamoDB's AWS-owned key, SSE-S3 and SSE-SQS",
    },
  ),
  leaseMs: setting(
    { env: 'LEASE_MS' },
    {
      default: (DEFAULT_WORKER_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS) * 1000,
      ...wholeNumber(1, (MAX_LAMBDA_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS) * 1000),
      description: 'cursor lease in ms; the stack sets it from `workerTimeoutSeconds` (+30 s)',
    },
  ),
  pagesPerInvocation: setting(
    { context: 'pagesPerInvocation', env: 'PAGES_PER_INVOCATION' },
    {
      // A delivery runs its chain's pages in a row while time allows, each page's server call
      // overlapping the page before's writes (lib/core/PROTOCOL.md "Reading ahead"). Time bounds
      // a run (a page starts only with twice the last page's time and the start reserve left);
      // this is the safety bound. Every crossing of the queue costs the chain a page's overlap
      // and a queue hop (about 140 ms at 100 ms a call), so it is set high: 25 crossed once
      // every 2.5 s of 100 ms pages.
      default: 100,
      ...wholeNumber(1, 100),
      description:
        'pages of one chain a worker runs in a row while time allows (the next page read ahead while one is written), instead of one queue message per page; 1: one page per message',
    },
  ),
  // No setting allows plain http: only the local run's builder (local/container.ts) does, so no
  // variable set in AWS can.
};

export type SettingName = keyof typeof SETTINGS;
export type SettingValue<N extends SettingName> = (typeof SETTINGS)[N]['default'];
export type Settings<N extends SettingName = SettingName> = { [K in N]: SettingValue<K> };
/** The settings a source carries. */
export type ContextSettingName = {
  [K in SettingName]: (typeof SETTINGS)[K] extends { context: string } ? K : never;
}[SettingName];
export type EnvSettingName = {
  [K in SettingName]: (typeof SETTINGS)[K] extends { env: string } ? K : never;
}[SettingName];

const NAMES = Object.keys(SETTINGS) as SettingName[];
/** Settings the stack takes as CDK context, in table order. */
export const CONTEXT_SETTINGS = NAMES.filter(
  (name) => SETTINGS[name].context !== undefined,
) as ContextSettingName[];
/** Settings read from the environment, in table order. */
export const ENV_SETTINGS = NAMES.filter((name) => SETTINGS[name].env !== undefined) as EnvSettingName[];

/** The environment form of a setting's value, as the stack (or the local run) sets it. */
export function envValue<N extends SettingName>(name: N, value: SettingValue<N>): string {
  const row = SETTINGS[name] as Setting<SettingValue<N>>;
  return row.toEnv ? row.toEnv(value) : String(value);
}

/**
 * The most sync calls in flight a mailbox may ask for, by source. Graph answers more than 4
 * concurrent requests per app and mailbox with 429 MailboxConcurrency; an on-premises EWS
 * throttling policy may allow far more than Exchange Online's 5.
 */
export const MAX_CONCURRENT_SYNCS_BY_SOURCE = {
  ews: MAX_CONCURRENT_SYNCS_LIMIT,
  graph: 4,
} as const satisfies Record<MailboxSource['kind'], number>;
