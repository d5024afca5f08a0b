// A whole sync pipeline for one test: the simulator over HTTP, fresh tables and queues on the
// run's shared DynamoDB Local + fauxqs (test/support/global-setup.ts), a container built from the handlers' environment, the real
// worker behind an SQS event-source poller, and the real scheduler. Built from the same pieces
// as the local run (cli/local/pipeline.ts).
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import {
  compareMirror,
  loadHandlers,
  localHandlerEnvironment,
  type SimulatorSourceChoice,
  simulatorCredentials,
  simulatorMailboxes,
} from '../../cli/local/pipeline.js';
import { waitForQuiet } from '../../cli/local/quiescence.js';
import { summarize, type VerificationSummary } from '../../cli/local/verify.js';
import type { Container } from '../../lib/app/container.js';
import type {
  CoreConfig,
  CoreDeps,
  Cursor,
  FanOutOutcome,
  JobOutcome,
  Mailbox,
} from '../../lib/core/index.js';
import type { LocalResources } from '../../local/create-resources.js';
import {
  createLambdaContext,
  LambdaSqsPoller,
  LOCAL_REGION,
  type SqsBatchHandler,
  standInSeams,
} from '../../local/index.js';
import { type RunningSimulator, type SimulatorConfigPatch, startSimulator } from '../../simulator/index.js';
import type { LocalAwsFixture } from './local-aws.js';
import './local-sdk-env.js';

export interface PipelineOptions {
  seed?: number;
  mailboxes?: number;
  foldersPerMailbox?: number;
  itemsPerMailbox?: number;
  simulatorConfig?: SimulatorConfigPatch;
  pageSize?: number;
  maxConcurrentSyncs?: number;
  /** Cursor lease and slot lifetime (LEASE_MS). */
  leaseMs?: number;
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
  batchSize?: number;
  workerConcurrency?: number;
  /** The fake function timeout; must leave the core's start reserve (10 s). */
  workerTimeoutMs?: number;
  /** Tunables of the core the environment does not set (e.g. a shorter throttle jitter). */
  coreConfig?: Partial<CoreConfig>;
  /** Wraps the container's ports before any handler runs (fault injection, recording). */
  wrapDeps?: (deps: CoreDeps, resources: LocalResources) => CoreDeps;
  /** Wraps the worker as the event source invokes it. */
  wrapWorker?: (handler: SqsBatchHandler) => SqsBatchHandler;
  /** Registry entries besides the simulator's mailboxes (e.g. one the server does not know). */
  extraMailboxes?: (template: Mailbox) => Mailbox[];
  /** The protocol the mailboxes are synced through (default EWS; `mixed` alternates). */
  source?: SimulatorSourceChoice;
}

export interface Pipeline {
  simulator: RunningSimulator;
  resources: LocalResources;
  container: Container;
  /** The simulator's mailboxes as registered (extra mailboxes excluded). */
  mailboxes: Mailbox[];
  /** Every job outcome the worker reported, in order. */
  outcomes: JobOutcome[];
  poller: LambdaSqsPoller;
  /** Invokes the worker (as wrapped) directly with the given records, as the event source would. */
  invokeWorker(records: SQSRecord[]): Promise<SQSBatchResponse | undefined>;
  /** One scheduler invocation. */
  tick(): Promise<FanOutOutcome>;
  /** Waits until no message is visible, delayed or in flight and no invocation runs. */
  settle(timeoutMs?: number): Promise<void>;
  /** A tick, then settle. */
  round(timeoutMs?: number): Promise<void>;
  /** The mirror against the simulator's ground truth, for the given mailboxes (default: all). */
  verify(mailboxes?: readonly Mailbox[]): Promise<VerificationSummary>;
  cursors(mailboxId: string): Promise<Cursor[]>;
  /** Receives what the dead-letter queue holds (bodies and message attributes). */
  deadLetters(): Promise<{ body: string; attributes: Record<string, string> }[]>;
  stop(): Promise<void>;
}

/**
 * Deadlines of the pipeline tests. They are bounds, not waits (a settle returns as soon as the
 * queue is quiet), and generous: on this shared 2-core machine under load a round takes several
 * times as long as alone. A test's own timeout must cover its rounds: PIPELINE_TEST_TIMEOUT_MS
 * covers two full-length settles and the rest.
 */
export const DEFAULT_SETTLE_MS = 150_000;
export const PIPELINE_TEST_TIMEOUT_MS = 2 * DEFAULT_SETTLE_MS + 120_000;

export async function startPipeline(
  fixture: LocalAwsFixture,
  options: PipelineOptions = {},
): Promise<Pipeline> {
  const workerTimeoutMs = options.workerTimeoutMs ?? 15_000;
  const [simulator, resources] = await Promise.all([
    startSimulator({
      port: 0,
      seed: options.seed ?? 1,
      mailboxes: options.mailboxes ?? 2,
      foldersPerMailbox: options.foldersPerMailbox ?? 3,
      itemsPerMailbox: options.itemsPerMailbox ?? 150,
      username: 'sync-service',
      password: `pw-${Math.random().toString(36).slice(2)}`,
      config: options.simulatorConfig,
    }),
    fixture.resources({
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 20,
      maxReceiveCount: options.maxReceiveCount,
    }),
  ]);
  const { createLocalContainer, readHandlerEnv, createWorkerHandler, createSchedulerHandler } =
    await loadHandlers();
  const container = createLocalContainer(
    readHandlerEnv(
      localHandlerEnvironment(resources, fixture.aws.endpoints, {
        leaseMs: options.leaseMs ?? workerTimeoutMs + 5_000,
      }),
    ),
    standInSeams(fixture.aws.endpoints, simulatorCredentials(simulator)),
  );
  container.deps = {
    ...container.deps,
    // A job finding every mailbox slot taken comes back in 1-2 s rather than 1-5 s: same path,
    // shorter tests.
    config: { ...container.deps.config, slotRetry: { baseMs: 500, capMs: 1_500 }, ...options.coreConfig },
  };
  if (options.wrapDeps) container.deps = options.wrapDeps(container.deps, resources);

  const mailboxes = simulatorMailboxes(simulator, {
    pageSize: options.pageSize ?? 50,
    maxConcurrentSyncs: options.maxConcurrentSyncs ?? 4,
    source: options.source,
  });
  const registered = [...mailboxes, ...(options.extraMailboxes?.(mailboxes[0]!) ?? [])];
  await Promise.all(registered.map((mailbox) => container.deps.registry.put(mailbox)));

  const outcomes: JobOutcome[] = [];
  const worker = createWorkerHandler(container, { onOutcome: (outcome) => outcomes.push(outcome) });
  const handler: SqsBatchHandler = (event, context) => worker(event, context);
  const wrappedWorker = options.wrapWorker ? options.wrapWorker(handler) : handler;
  const poller = new LambdaSqsPoller({
    client: fixture.clients.sqs,
    queueUrl: resources.queueUrl,
    handler: wrappedWorker,
    batchSize: options.batchSize ?? 5,
    maxConcurrency: options.workerConcurrency ?? 6,
    timeoutMs: workerTimeoutMs,
  });
  await poller.start();
  const scheduler = createSchedulerHandler(container);

  const settle = (timeoutMs = DEFAULT_SETTLE_MS) =>
    waitForQuiet(
      { sqs: fixture.clients.sqs, queueUrl: resources.queueUrl, inFlight: () => poller.stats().inFlight },
      { timeoutMs, intervalMs: 150, confirmations: 3 },
    );
  const tick = () =>
    scheduler(
      {},
      createLambdaContext({
        functionName: 'exchange-sync-scheduler',
        timeoutMs: 60_000,
        memoryMb: 256,
        region: LOCAL_REGION,
      }),
    ) as Promise<FanOutOutcome>;

  let stopped = false;
  return {
    simulator,
    resources,
    container,
    mailboxes,
    outcomes,
    poller,
    invokeWorker: (records) =>
      wrappedWorker(
        { Records: records },
        createLambdaContext({
          functionName: 'exchange-sync-worker',
          timeoutMs: workerTimeoutMs,
          memoryMb: 512,
          region: LOCAL_REGION,
        }),
      ),
    tick,
    settle,
    async round(timeoutMs) {
      await tick();
      await settle(timeoutMs);
    },
    async verify(subset = mailboxes) {
      return summarize(await compareMirror(container.deps, simulator.sim, subset));
    },
    cursors: (mailboxId) => container.deps.cursors.listByMailbox(mailboxId),
    async deadLetters() {
      const letters: { body: string; attributes: Record<string, string> }[] = [];
      // Bounded: the DLQ of one test holds a handful of messages; received ones stay hidden.
      for (let i = 0; i < 10; i++) {
        const received = await fixture.clients.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: resources.deadLetterQueueUrl,
            MaxNumberOfMessages: 10,
            MessageAttributeNames: ['All'],
            VisibilityTimeout: 600,
          }),
        );
        const messages = received.Messages ?? [];
        if (messages.length === 0) break;
        for (const message of messages) {
          letters.push({
            body: message.Body ?? '',
            attributes: Object.fromEntries(
              Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']),
            ),
          });
        }
      }
      return letters;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await poller.stop().catch(() => {});
      container.destroy();
      await simulator.close();
    },
  };
}

/** Fails with the differences, so a broken invariant names what differs. */
export function describeDifferences(summary: VerificationSummary): string {
  return summary.differences
    .map(
      (d) =>
        `${d.mailboxId} ${d.folderId}: missing ${d.missing.length}, extra ${d.extra.length}, stale ${d.stale.length}`,
    )
    .join('\n');
}

/** An SQS record as Lambda's event source hands it over, for direct worker invocations. */
export function sqsRecord(body: string, messageId: string, queueArn: string): SQSRecord {
  const now = String(Date.now());
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: now,
      SenderId: '000000000000',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: LOCAL_REGION,
  };
}

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 120_000,
): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new WaitTimeoutError(what, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
