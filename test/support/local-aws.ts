import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import {
  createQueues,
  createResources,
  createTables,
  type LocalQueues,
  type LocalResources,
} from '../../local/create-resources.js';
import { type LocalAws, startLocalAws } from '../../local/local-aws.js';
import { createLocalAwsClients, type LocalAwsClients } from '../../local/local-aws-clients.js';
import { startSqsEmulator } from '../../local/sqs-emulator.js';
import type { SharedEndpoints } from './global-setup.js';

/** A short name unique across tests and runs, valid for tables, queues and (lower-case) buckets. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The stand-ins as a test file sees them: where they run and clients pointed at them. */
export type LocalAwsEndpoints = Pick<LocalAws, 'endpoints' | 'clients'>;

export interface LocalAwsFixture {
  /** Available inside tests (after beforeAll). */
  readonly aws: LocalAwsEndpoints;
  readonly clients: LocalAwsClients;
  /** Fresh tables, queue + DLQ and bucket with unique names: no test sees another's data. */
  resources(options?: {
    visibilityTimeoutSeconds?: number;
    maxReceiveCount?: number;
  }): Promise<LocalResources>;
  /** Fresh tables only: cheaper when a test needs no queue or bucket. */
  tables(): Promise<Pick<LocalResources, 'mailboxTable' | 'cursorTable' | 'itemTable'>>;
}

/**
 * A broker request may wait for a JVM to start on a loaded machine; the broker bounds the start
 * itself (test/support/global-setup.ts), this only stops a test file from waiting on a broker
 * that went away.
 */
const BROKER_TIMEOUT_MS = 240_000;

/** The run's shared stand-ins (test/support/global-setup.ts), or undefined without that setup. */
async function sharedEndpoints(path: '/local-aws' | '/sqs'): Promise<SharedEndpoints | undefined> {
  const broker = inject('localAwsBroker');
  if (!broker) return undefined;
  const response = await fetch(`${broker}${path}`, { signal: AbortSignal.timeout(BROKER_TIMEOUT_MS) });
  const body = (await response.json()) as SharedEndpoints & { error?: string };
  if (!response.ok) throw new Error(`the shared local AWS stand-ins did not start: ${body.error}`);
  return body;
}

/**
 * DynamoDB Local and fauxqs for the calling test file. Under vitest.config.ts they are the run's
 * shared ones (started once, when the first file asks); otherwise the file starts its own in
 * beforeAll and stops them in afterAll. Either way the file's tables, queues and buckets are its
 * own: `resources()` and `tables()` give them unique names.
 */
export function useLocalAws(): LocalAwsFixture {
  let aws: (LocalAwsEndpoints & { stop(): Promise<void> }) | undefined;
  beforeAll(async () => {
    const shared = await sharedEndpoints('/local-aws');
    if (shared?.dynamodb) {
      const endpoints = { dynamodb: shared.dynamodb, sqs: shared.sqs };
      const clients = createLocalAwsClients(endpoints);
      aws = { endpoints, clients, stop: async () => clients.destroy() };
    } else {
      aws = await startLocalAws();
    }
  });
  afterAll(async () => {
    await aws?.stop();
  });
  const started = () => {
    if (!aws) throw new Error('useLocalAws(): the stand-ins are only available inside tests');
    return aws;
  };
  return {
    get aws() {
      return started();
    },
    get clients() {
      return started().clients;
    },
    resources: (options) => createResources(started().clients, { prefix: uniqueName(), ...options }),
    tables: () => createTables(started().clients.dynamodb, uniqueName()),
  };
}

export interface SqsFixture {
  readonly emulator: { readonly endpoint: string };
  readonly clients: Pick<LocalAwsClients, 'sqs' | 's3'>;
  /** A fresh queue + DLQ with unique names. */
  queues(options?: { visibilityTimeoutSeconds?: number; maxReceiveCount?: number }): Promise<LocalQueues>;
}

/** fauxqs alone (SQS + S3), for tests that need no DynamoDB: no JVM to start. */
export function useSqsEmulator(): SqsFixture {
  let emulator: { endpoint: string; stop(): Promise<void> } | undefined;
  let clients: LocalAwsClients | undefined;
  beforeAll(async () => {
    const shared = await sharedEndpoints('/sqs');
    emulator = shared ? { endpoint: shared.sqs, stop: async () => {} } : await startSqsEmulator();
    // The DynamoDB endpoint is never used by these tests; the client is created lazily by the SDK.
    clients = createLocalAwsClients({ dynamodb: emulator.endpoint, sqs: emulator.endpoint });
  });
  afterAll(async () => {
    clients?.destroy();
    await emulator?.stop();
  });
  const started = () => {
    if (!emulator || !clients) throw new Error('useSqsEmulator(): only available inside tests');
    return { emulator, clients };
  };
  return {
    get emulator() {
      return started().emulator;
    },
    get clients() {
      return started().clients;
    },
    queues: (options) => createQueues(started().clients.sqs, { prefix: uniqueName(), ...options }),
  };
}
