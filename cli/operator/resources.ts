// The tables and queue an operator command works on: flags override the environment the Lambdas
// read (infra/resources.ts ENV), then the handlers' own composition root builds the adapters, so
// the CLI reads and writes exactly what the workers do. Stand-in endpoints (DYNAMODB_ENDPOINT,
// SQS_ENDPOINT: `exchange-sync dev`) are no part of the handlers' environment: given one, the
// container comes from the local builder (local/container.ts) instead.
import type { Command } from 'commander';
import { ENV } from '../../infra/resources.js';
import { type Container, createContainer } from '../../lib/app/container.js';
import { ConfigurationError, readHandlerEnv } from '../../lib/app/env.js';
import { createLocalContainer, localEndpointsOf } from '../../local/container.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/local-aws-clients.js';
import { applyEnvFile, readEnvFile } from './env-file.js';
import { MissingConfigurationError } from './errors.js';
import type { CliIo } from './io.js';

/** One setting: its environment variable, its flag and the commander option key. */
interface Setting {
  variable: string;
  flag: string;
  key: keyof ResourceFlags;
  description: string;
}

export interface ResourceFlags {
  mailboxTable?: string;
  cursorTable?: string;
  itemTable?: string;
  queueUrl?: string;
  deadLetterQueueUrl?: string;
  stateBucket?: string;
  dynamodbEndpoint?: string;
  sqsEndpoint?: string;
  region?: string;
  profile?: string;
  /** KEY=value settings below the environment (loadEnvFileOption applies them). */
  envFile?: string;
}

export type Resource = 'mailboxTable' | 'cursorTable' | 'itemTable' | 'queueUrl' | 'deadLetterQueueUrl';

const SETTINGS: Setting[] = [
  {
    variable: ENV.mailboxTable,
    flag: '--mailbox-table',
    key: 'mailboxTable',
    description: 'mailbox registry table',
  },
  { variable: ENV.cursorTable, flag: '--cursor-table', key: 'cursorTable', description: 'cursor table' },
  { variable: ENV.itemTable, flag: '--item-table', key: 'itemTable', description: 'item mirror table' },
  { variable: ENV.syncQueueUrl, flag: '--queue-url', key: 'queueUrl', description: 'sync queue URL' },
  {
    variable: ENV.deadLetterQueueUrl,
    flag: '--dead-letter-queue-url',
    key: 'deadLetterQueueUrl',
    description: "sync queue's dead-letter queue URL",
  },
  {
    variable: ENV.stateBucket,
    flag: '--state-bucket',
    key: 'stateBucket',
    description: 'bucket of large SyncStates',
  },
  {
    variable: ENV.dynamoEndpoint,
    flag: '--dynamodb-endpoint',
    key: 'dynamodbEndpoint',
    description: 'DynamoDB endpoint (DynamoDB Local)',
  },
  {
    variable: ENV.sqsEndpoint,
    flag: '--sqs-endpoint',
    key: 'sqsEndpoint',
    description: 'SQS (and S3) endpoint (fauxqs)',
  },
];

const SDK_SETTINGS: Setting[] = [
  { variable: 'AWS_REGION', flag: '--region', key: 'region', description: 'AWS region' },
  { variable: 'AWS_PROFILE', flag: '--profile', key: 'profile', description: 'AWS profile' },
];

/**
 * Only the resources a command uses are required; the others get a value that is never used, so
 * `mailbox list` does not ask for a queue URL.
 */
const UNUSED: Record<Resource, string> = {
  mailboxTable: 'unused',
  cursorTable: 'unused',
  itemTable: 'unused',
  queueUrl: 'http://unused.invalid/',
  deadLetterQueueUrl: 'http://unused.invalid/',
};

/** The commands that take `--env-file` to read (`dev` takes one to write). */
const readsEnvFile = new WeakSet<Command>();

/** Adds the resource flags (with the variable each one overrides) to an operator command. */
export function withResourceOptions(command: Command): Command {
  for (const s of [...SETTINGS, ...SDK_SETTINGS]) {
    command.option(`${s.flag} <value>`, `${s.description} (default: $${s.variable})`);
  }
  command.option(
    '--env-file <file>',
    'read settings from KEY=value lines, as `exchange-sync dev --env-file` writes them (flags and the environment win)',
  );
  readsEnvFile.add(command);
  return command;
}

/**
 * Run before a command's action (the program's preAction hook): puts the `--env-file` values into
 * the environment the command reads, under what is already set, so every setting a command reads
 * from there (resources, mailbox defaults) can come from the file. In the binary that environment
 * is the process's own, where the AWS SDK finds the region and credentials.
 */
export function loadEnvFileOption(command: Command, io: CliIo): void {
  if (!readsEnvFile.has(command)) return;
  const file = command.opts<ResourceFlags>().envFile;
  if (file !== undefined) applyEnvFile(io.env, readEnvFile(file));
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopback(url: string | undefined): boolean {
  try {
    return url !== undefined && LOOPBACK_HOSTS.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * DynamoDB Local and fauxqs accept any signature: when both endpoints are on this machine and no
 * credentials are configured, the SDK gets the stand-ins' dummy ones instead of failing with "no
 * AWS credentials". Nothing then reaches AWS (the CLI reads no secret).
 */
function useLocalCredentials(environment: Record<string, string | undefined>): void {
  if (!isLoopback(environment[ENV.dynamoEndpoint]) || !isLoopback(environment[ENV.sqsEndpoint])) return;
  if (process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE) return;
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  process.env.AWS_REGION ||= LOCAL_REGION;
}

function settingOf(resource: Resource): Setting {
  return SETTINGS.find((s) => s.key === resource)!;
}

/** The environment the handlers would see, with flags applied and unused resources filled in. */
export function operatorEnvironment(
  flags: ResourceFlags,
  env: CliIo['env'],
  needs: readonly Resource[],
): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = { ...env };
  for (const s of SETTINGS) {
    const value = flags[s.key];
    if (value !== undefined) merged[s.variable] = value;
  }
  const missing = needs.map(settingOf).filter((s) => !merged[s.variable]);
  if (missing.length > 0) {
    throw new MissingConfigurationError(
      missing.map((s) => ({ variable: s.variable, flag: s.flag, problem: `${s.description} is not set` })),
    );
  }
  for (const [resource, placeholder] of Object.entries(UNUSED) as [Resource, string][]) {
    const variable = settingOf(resource).variable;
    if (!needs.includes(resource) && !merged[variable]) merged[variable] = placeholder;
  }
  return merged;
}

/** Builds the handlers' container for an operator command. Call `destroy()` when done. */
export function openContainer(flags: ResourceFlags, io: CliIo, needs: readonly Resource[]): Container {
  const environment = operatorEnvironment(flags, io.env, needs);
  // The SDK reads region and profile from the process environment itself.
  if (flags.region) process.env.AWS_REGION = flags.region;
  if (flags.profile) process.env.AWS_PROFILE = flags.profile;
  useLocalCredentials(environment);
  try {
    const handlerEnv = readHandlerEnv(environment);
    const endpoints = localEndpointsOf(environment);
    return endpoints ? createLocalContainer(handlerEnv, { endpoints }) : createContainer(handlerEnv);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    const all = [...SETTINGS, ...SDK_SETTINGS];
    throw new MissingConfigurationError(
      error.variables.map((variable) => ({
        variable,
        flag: all.find((s) => s.variable === variable)?.flag ?? '(environment only)',
        problem: 'malformed',
      })),
    );
  }
}

/** Runs `task` with a container and always releases its clients. */
export async function withContainer<T>(
  flags: ResourceFlags,
  io: CliIo,
  needs: readonly Resource[],
  task: (container: Container) => Promise<T>,
): Promise<T> {
  const container = openContainer(flags, io, needs);
  try {
    return await task(container);
  } finally {
    container.destroy();
  }
}
