import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import {
  createQueues,
  createResources,
  createTables,
  type LocalQueues,
  type LocalResources,
} from '../../local/create-resources.js';
import { type LocalAws, startLocalAws } from '../../local/local-aws.js';
import { createLocalAwsClients, type LocalAwsClients } from '../../local/local-aws-clients.js';
import { type SqsEmulator, startSqsEmulator } from '../../local/sqs-emulator.js';

/** A short name unique across tests and runs, valid for tables, queues and (lower-case) buckets. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export interface LocalAwsFixture {
  /** Available inside tests (after beforeAll). */
  readonly aws: LocalAws;
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
 * Starts DynamoDB Local and fauxqs once for the calling test file (beforeAll) and stops them in
 * afterAll. One JVM per file: keep DynamoDB tests in few files.
 */
export function useLocalAws(): LocalAwsFixture {
  let aws: LocalAws | undefined;
  beforeAll(async () => {
    aws = await startLocalAws();
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
  readonly emulator: SqsEmulator;
  readonly clients: Pick<LocalAwsClients, 'sqs' | 's3'>;
  /** A fresh queue + DLQ with unique names. */
  queues(options?: { visibilityTimeoutSeconds?: number; maxReceiveCount?: number }): Promise<LocalQueues>;
}

/** fauxqs alone (SQS + S3), for tests that need no DynamoDB: no JVM to start. */
export function useSqsEmulator(): SqsFixture {
  let emulator: SqsEmulator | undefined;
  let clients: LocalAwsClients | undefined;
  beforeAll(async () => {
    emulator = await startSqsEmulator();
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
