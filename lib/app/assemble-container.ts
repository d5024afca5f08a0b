// The composition root's common part: the adapters, built once per container (cold start) on the
// SDK clients and the mail source the caller brings, and reused by every invocation. The callers:
// container.ts (the worker, the operator CLI) builds EWS and Graph on the SDK's own defaults;
// scheduler-container.ts has no mail source, so the scheduler's bundle carries neither protocol
// nor Secrets Manager; local/container.ts (the local run, the tests, the benchmarks) wires the
// stand-ins' endpoints, dummy credentials, plain http and `local:` credentials.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoCursorStore } from '../adapters/dynamodb/dynamo-cursor-store.js';
import { DynamoCursorEraser, DynamoMirrorEraser } from '../adapters/dynamodb/dynamo-erasers.js';
import { DynamoItemMirror } from '../adapters/dynamodb/dynamo-item-mirror.js';
import {
  DynamoMailboxRegistry,
  type InvalidMailboxRow,
} from '../adapters/dynamodb/dynamo-mailbox-registry.js';
import { LazyS3SyncStateStore } from '../adapters/s3/lazy-sync-state-store.js';
import { SqsDeadLetterQueue } from '../adapters/sqs/dead-letter-queue.js';
import { SqsDeadLetterReader } from '../adapters/sqs/dead-letter-reader.js';
import { SqsWorkQueue } from '../adapters/sqs/sqs-work-queue.js';
import { type Clock, type CoreDeps, coreConfig, type MailSource, type Random } from '../core/index.js';
import type { DeadLetterQueue } from '../core/operator/dead-letter-ports.js';
import type { ErasurePorts } from '../core/operator/erasure-ports.js';
import type { AwsClients } from './aws-clients.js';
import type { HandlerEnv } from './env.js';

/** What the handlers need to know of the adapters' errors, without importing an adapter. */
export { InvalidPageTokenError } from '../adapters/dynamodb/dynamo-mailbox-registry.js';
export type { InvalidMailboxRow };

export interface Container {
  deps: CoreDeps;
  deadLetters?: SqsDeadLetterQueue;
  /** Reading and deleting dead letters, for `dlq list` and `dlq redrive` only (no Lambda reads the DLQ). */
  deadLetterReader?: DeadLetterQueue;
  /**
   * Deleting for good, for `mailbox purge` only (no Lambda calls these; createContainer always
   * sets it). Without a state bucket there is no `states`: a purge then refuses to start.
   */
  erasure?: Omit<ErasurePorts, 'states'> & { states?: ErasurePorts['states'] };
  destroy(): void;
}

const systemRandom: Random = { next: Math.random, id: randomUUID };
const systemClock: Clock = {
  now: Date.now,
  sleep: (ms) => sleep(ms),
  setTimer(ms, fire) {
    const timer = setTimeout(fire, ms);
    // A call that never ends (a killed environment) must not keep the process alive for it.
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export interface ContainerOptions {
  /**
   * 'omit': cursors are read without their SyncState and the cursor store refuses to write one
   * back (DynamoCursorStore's `syncState: 'omit'`); no state bucket is used. Default 'read'.
   */
  cursorSyncState?: 'read' | 'omit';
  /**
   * Told about every registry row that fails the mailbox schema. The handlers pass their logger
   * and a metric (an operator must see a row that silently stops syncing); the default is a
   * warning on stderr.
   */
  onInvalidRegistryRow?: (row: InvalidMailboxRow) => void;
}

/** A container's mail source and how to let go of what it holds (its Secrets Manager client). */
export interface BuiltMailSource {
  mailSource: MailSource;
  destroy(): void;
}

/** What a container is built on: its SDK clients and its mail source, both released by destroy(). */
export interface ContainerParts {
  clients: AwsClients;
  source: BuiltMailSource;
}

export function assembleContainer(
  env: HandlerEnv,
  options: ContainerOptions,
  { clients, source }: ContainerParts,
): Container {
  const omitSyncState = options.cursorSyncState === 'omit';
  const { dynamodb, sqs } = clients;
  const { mailSource } = source;
  const spill =
    env.stateBucket && !omitSyncState
      ? new LazyS3SyncStateStore(env.stateBucket, clients.s3Config)
      : undefined;

  const deps: CoreDeps = {
    mailSource,
    registry: new DynamoMailboxRegistry(dynamodb, env.mailboxTable, {
      onInvalidRow: options.onInvalidRegistryRow,
    }),
    cursors: new DynamoCursorStore(
      dynamodb,
      env.cursorTable,
      omitSyncState ? { syncState: 'omit' } : spill ? { spill } : {},
    ),
    mirror: new DynamoItemMirror(dynamodb, env.itemTable),
    queue: new SqsWorkQueue(sqs, env.syncQueueUrl, { messageGroups: true }),
    clock: systemClock,
    random: systemRandom,
    config: coreConfig({
      maxHops: env.maxHops,
      syncIntervalMs: env.syncIntervalMs,
      tickIntervalMs: env.tickIntervalMs,
      leaseMs: env.leaseMs,
      pagesPerInvocation: env.pagesPerInvocation,
    }),
  };
  return {
    deps,
    deadLetters: env.deadLetterQueueUrl ? new SqsDeadLetterQueue(sqs, env.deadLetterQueueUrl) : undefined,
    deadLetterReader: env.deadLetterQueueUrl
      ? new SqsDeadLetterReader(sqs, env.deadLetterQueueUrl)
      : undefined,
    erasure: {
      mirror: new DynamoMirrorEraser(dynamodb, env.itemTable),
      cursors: new DynamoCursorEraser(dynamodb, env.cursorTable),
      states: spill,
    },
    destroy() {
      clients.destroy();
      source.destroy();
      spill?.destroy();
    },
  };
}
