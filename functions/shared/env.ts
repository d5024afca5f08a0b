// The handlers' configuration, read once per container from the environment the stack (or the
// local run) sets. A missing or malformed variable fails the cold start with a message that
// names it, instead of failing later inside a page.
import * as z from 'zod/mini';
import '../../lib/core/zod.js';
import { ENV, LEASE_MS } from '../../infra/resources.js';

const positiveInt = z.coerce.number().check(z.int(), z.positive());
/** 0 = every tick syncs every folder (the local run). */
const nonNegativeInt = z.coerce.number().check(z.int(), z.nonnegative());
const url = z.string().check(z.url());
const nonEmpty = z.string().check(z.minLength(1));

const schema = z.object({
  [ENV.mailboxTable]: nonEmpty,
  [ENV.cursorTable]: nonEmpty,
  [ENV.itemTable]: nonEmpty,
  [ENV.syncQueueUrl]: url,
  [ENV.deadLetterQueueUrl]: z.optional(url),
  [ENV.stateBucket]: z.optional(nonEmpty),
  [ENV.secretPrefix]: z._default(nonEmpty, 'exchange-sync/'),
  [ENV.syncIntervalMinutes]: z._default(nonNegativeInt, 15),
  [ENV.maxHops]: z._default(positiveInt, 500),
  [ENV.leaseMs]: z._default(positiveInt, LEASE_MS),
  [ENV.allowInsecureHttp]: z._default(z.enum(['true', 'false']), 'false'),
  [ENV.dynamoEndpoint]: z.optional(url),
  [ENV.sqsEndpoint]: z.optional(url),
});

export interface HandlerEnv {
  mailboxTable: string;
  cursorTable: string;
  itemTable: string;
  syncQueueUrl: string;
  deadLetterQueueUrl?: string;
  stateBucket?: string;
  secretPrefix: string;
  syncIntervalMs: number;
  maxHops: number;
  leaseMs: number;
  allowInsecureHttp: boolean;
  dynamoEndpoint?: string;
  sqsEndpoint?: string;
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
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const variables = parsed.error.issues.map((issue) => String(issue.path[0]));
    const detail = parsed.error.issues
      .map((issue) => `${String(issue.path[0])}: ${issue.message}`)
      .join('; ');
    throw new ConfigurationError(variables, detail);
  }
  const env = parsed.data;
  return {
    mailboxTable: env[ENV.mailboxTable],
    cursorTable: env[ENV.cursorTable],
    itemTable: env[ENV.itemTable],
    syncQueueUrl: env[ENV.syncQueueUrl],
    deadLetterQueueUrl: env[ENV.deadLetterQueueUrl],
    stateBucket: env[ENV.stateBucket],
    secretPrefix: env[ENV.secretPrefix],
    syncIntervalMs: env[ENV.syncIntervalMinutes] * 60_000,
    maxHops: env[ENV.maxHops],
    leaseMs: env[ENV.leaseMs],
    allowInsecureHttp: env[ENV.allowInsecureHttp] === 'true',
    dynamoEndpoint: env[ENV.dynamoEndpoint],
    sqsEndpoint: env[ENV.sqsEndpoint],
  };
}
