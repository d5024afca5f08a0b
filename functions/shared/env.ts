// The handlers' configuration, read once per container from the environment the stack (or the
// local run) sets. A missing or malformed variable fails the cold start with a message that
// names it, instead of failing later inside a page.
import { z } from 'zod';
import { ENV } from '../../infra/resources.js';

const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  [ENV.mailboxTable]: z.string().min(1),
  [ENV.cursorTable]: z.string().min(1),
  [ENV.itemTable]: z.string().min(1),
  [ENV.syncQueueUrl]: z.string().url(),
  [ENV.deadLetterQueueUrl]: z.string().url().optional(),
  [ENV.stateBucket]: z.string().min(1).optional(),
  [ENV.secretPrefix]: z.string().min(1).default('exchange-sync/'),
  [ENV.syncIntervalMinutes]: positiveInt.default(15),
  [ENV.maxHops]: positiveInt.default(10_000),
  [ENV.allowInsecureHttp]: z.enum(['true', 'false']).default('false'),
  [ENV.dynamoEndpoint]: z.string().url().optional(),
  [ENV.sqsEndpoint]: z.string().url().optional(),
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
  allowInsecureHttp: boolean;
  dynamoEndpoint?: string;
  sqsEndpoint?: string;
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  constructor(readonly variables: string[], detail: string) {
    super(`invalid environment: ${detail}`);
  }
}

export function readHandlerEnv(source: Record<string, string | undefined> = process.env): HandlerEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const variables = parsed.error.issues.map((issue) => String(issue.path[0]));
    const detail = parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`).join('; ');
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
    allowInsecureHttp: env[ENV.allowInsecureHttp] === 'true',
    dynamoEndpoint: env[ENV.dynamoEndpoint],
    sqsEndpoint: env[ENV.sqsEndpoint],
  };
}
