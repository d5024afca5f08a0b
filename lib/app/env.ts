// The handlers' configuration, read once per container from the environment the stack sets. A
// missing or malformed variable fails the cold start with a message that names it, instead of
// failing later inside a page. Where things are (tables, queues, bucket) is checked here; the
// tunables, their defaults and ranges come from the settings table (lib/settings), the same one
// the stack validates its context with. Nothing local is read: stand-in endpoints, dummy
// credentials and plain http are wired by local/container.ts, so a stray variable in a Lambda's
// environment can never point it at a stand-in or let it speak plain http.
import * as z from 'zod/mini';
import '../core/zod.js';
import { ENV } from '../../infra/resources.js';
import { envValue, readSettings, type SettingIssue } from '../settings/index.js';

const url = z.string().check(z.url());
const nonEmpty = z.string().check(z.minLength(1));

const resources = z.object({
  [ENV.mailboxTable]: nonEmpty,
  [ENV.cursorTable]: nonEmpty,
  [ENV.itemTable]: nonEmpty,
  [ENV.syncQueueUrl]: url,
  [ENV.deadLetterQueueUrl]: z.optional(url),
  [ENV.stateBucket]: z.optional(nonEmpty),
});

/** The settings the handlers read (the stack sets each of them; see lib/settings). */
const HANDLER_SETTINGS = [
  'secretPrefix',
  'syncIntervalMinutes',
  'tickRate',
  'maxHops',
  'leaseMs',
  'pagesPerInvocation',
] as const;

export interface HandlerEnv {
  mailboxTable: string;
  cursorTable: string;
  itemTable: string;
  syncQueueUrl: string;
  deadLetterQueueUrl?: string;
  stateBucket?: string;
  /** With its trailing slash, as credential references are compared against it. */
  secretPrefix: string;
  syncIntervalMs: number;
  /** The scheduler's tick, so that due-ness allows half a tick (CoreConfig.tickIntervalMs). */
  tickIntervalMs: number;
  maxHops: number;
  leaseMs: number;
  /** Pages of a chain one invocation runs in a row (CoreConfig.pagesPerInvocation). */
  pagesPerInvocation: number;
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  constructor(
    readonly variables: string[],
    detail: string,
  ) {
    super(`invalid environment: ${detail}`);
  }
}

export function readHandlerEnv(source: Record<string, string | undefined> = process.env): HandlerEnv {
  const located = resources.safeParse(source);
  const settings = readSettings(HANDLER_SETTINGS, 'env', source);
  const problems: Pick<SettingIssue, 'key' | 'message'>[] = [
    ...(located.success
      ? []
      : located.error.issues.map((issue) => ({ key: String(issue.path[0]), message: issue.message }))),
    ...(settings.success ? [] : settings.issues),
  ];
  if (!located.success || !settings.success) {
    throw new ConfigurationError(
      problems.map((p) => p.key),
      problems.map((p) => `${p.key}: ${p.message}`).join('; '),
    );
  }
  const env = located.data;
  const values = settings.values;
  return {
    mailboxTable: env[ENV.mailboxTable],
    cursorTable: env[ENV.cursorTable],
    itemTable: env[ENV.itemTable],
    syncQueueUrl: env[ENV.syncQueueUrl],
    deadLetterQueueUrl: env[ENV.deadLetterQueueUrl],
    stateBucket: env[ENV.stateBucket],
    secretPrefix: envValue('secretPrefix', values.secretPrefix),
    syncIntervalMs: values.syncIntervalMinutes * 60_000,
    tickIntervalMs: values.tickRate * 60_000,
    maxHops: values.maxHops,
    leaseMs: values.leaseMs,
    pagesPerInvocation: values.pagesPerInvocation,
  };
}
