// The composition root: SDK clients and adapters built once per container (cold start) and
// reused by every invocation. The CLI builds the same container for operator commands.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoCursorStore } from '../../lib/adapters/dynamodb/dynamo-cursor-store.js';
import { DynamoCursorEraser, DynamoMirrorEraser } from '../../lib/adapters/dynamodb/dynamo-erasers.js';
import { DynamoItemMirror } from '../../lib/adapters/dynamodb/dynamo-item-mirror.js';
import {
  DynamoMailboxRegistry,
  type InvalidMailboxRow,
} from '../../lib/adapters/dynamodb/dynamo-mailbox-registry.js';
import { EwsMailSource } from '../../lib/adapters/ews/mail-source.js';
import { GraphMailSource } from '../../lib/adapters/graph/mail-source.js';
import { MailSourceRouter } from '../../lib/adapters/mail-source-router.js';
import { LazyS3SyncStateStore } from '../../lib/adapters/s3/lazy-sync-state-store.js';
import {
  LocalCredentialsResolver,
  routeCredentials,
  SecretsCredentialsResolver,
} from '../../lib/adapters/secrets/index.js';
import { SqsDeadLetterQueue } from '../../lib/adapters/sqs/dead-letter-queue.js';
import { SqsDeadLetterReader } from '../../lib/adapters/sqs/dead-letter-reader.js';
import { SqsWorkQueue } from '../../lib/adapters/sqs/sqs-work-queue.js';
import { type CoreDeps, coreConfig, type Random } from '../../lib/core/index.js';
import type { DeadLetterQueue } from '../../lib/core/operator/dead-letter-ports.js';
import type { ErasurePorts } from '../../lib/core/operator/erasure-ports.js';
import type { HandlerEnv } from './env.js';

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
  /** `local:<name>` credentials: filled by the local run and tests, empty in AWS. */
  localCredentials: LocalCredentialsResolver;
  destroy(): void;
}

const systemRandom: Random = { next: Math.random, id: randomUUID };

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

export function createContainer(env: HandlerEnv, options: ContainerOptions = {}): Container {
  const omitSyncState = options.cursorSyncState === 'omit';
  // In AWS the endpoints are unset and the SDK finds region and credentials itself.
  // Locally one process runs many invocations at once on these clients: more sockets than the
  // SDK's 50, or it queues requests and warns "socket usage at capacity". A Lambda runs one.
  const local = (endpoint: string) => ({ endpoint, requestHandler: { httpAgent: { maxSockets: 512 } } });
  const dynamodb = new DynamoDBClient(env.dynamoEndpoint ? local(env.dynamoEndpoint) : {});
  const sqs = new SQSClient(env.sqsEndpoint ? local(env.sqsEndpoint) : {});
  const secrets = new SecretsManagerClient({});

  const localCredentials = new LocalCredentialsResolver();
  const secretCredentials = new SecretsCredentialsResolver(secrets, { prefix: env.secretPrefix });
  const resolveCredentials = routeCredentials(localCredentials, secretCredentials.resolve);
  const sourceOptions = { allowInsecureHttp: env.allowInsecureHttp };
  // Per mailbox: EWS for Exchange Server on premises, Graph for Exchange Online.
  const mailSource = new MailSourceRouter({
    ews: new EwsMailSource(resolveCredentials, sourceOptions),
    graph: new GraphMailSource(resolveCredentials, sourceOptions),
  });
  // The local SQS emulator serves S3 on the same endpoint; path-style since `<bucket>.localhost`
  // does not resolve.
  const spill =
    env.stateBucket && !omitSyncState
      ? new LazyS3SyncStateStore(
          env.stateBucket,
          env.sqsEndpoint ? { endpoint: env.sqsEndpoint, forcePathStyle: true } : {},
        )
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
    clock: { now: Date.now, sleep: (ms) => sleep(ms) },
    random: systemRandom,
    config: coreConfig({
      maxHops: env.maxHops,
      syncIntervalMs: env.syncIntervalMs,
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
    localCredentials,
    destroy() {
      for (const client of [dynamodb, sqs, secrets]) client.destroy();
      spill?.destroy();
    },
  };
}

/**
 * The scheduler's container. The tick needs only each hierarchy cursor's status, lease and
 * timestamps (lib/core/schedule/fan-out-tick.ts: cursors.get and cursors.create), so it reads cursors
 * without their SyncState: a mailbox whose hierarchy SyncState was spilled to S3 costs the tick
 * neither a bucket setting nor an S3 grant, and cannot stop the tick for every other mailbox.
 */
export function createSchedulerContainer(env: HandlerEnv, options: ContainerOptions = {}): Container {
  return createContainer(env, { ...options, cursorSyncState: 'omit' });
}
