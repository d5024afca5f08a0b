// The running local system the local run and `exchange-sync dev` share: DynamoDB Local, fauxqs
// and the simulator, the resources from infra/resources.ts, the handlers' container with the
// simulator's credentials, the worker behind an SQS event-source poller, and the scheduler as a
// callable tick. A failure at any step stops whatever had started before the error goes on: a
// server left open would keep the process alive after the error was printed.
import type { Context } from 'aws-lambda';
import { ENV } from '../../infra/resources.js';
import type { Container } from '../../lib/app/container.js';
import type { FanOutOutcome, JobOutcome } from '../../lib/core/index.js';
import { createResources, type LocalResources } from '../../local/create-resources.js';
import {
  createLambdaContext,
  LambdaSqsPoller,
  LOCAL_REGION,
  type LocalAws,
  standInSeams,
  startLocalAws,
} from '../../local/index.js';
import { type RunningSimulator, type StartSimulatorOptions, startSimulator } from '../../simulator/index.js';
import { loadHandlers, localHandlerEnvironment, simulatorCredentials } from './pipeline.js';

/** Short timeouts so a failed message comes back quickly; the lease outlives the invocation. */
const WORKER_TIMEOUT_MS = 15_000;
const VISIBILITY_TIMEOUT_SECONDS = 20;

/** What the worker did: fed by its job outcomes (countOutcome). */
export interface WorkerCounters {
  jobs: number;
  pages: number;
  changesApplied: number;
  throttled: number;
  retried: number;
}

export function countOutcome(counters: WorkerCounters, outcome: JobOutcome): void {
  counters.jobs++;
  if (outcome.type === 'fanout') return;
  counters.pages += outcome.pages;
  counters.changesApplied += outcome.changes.written + (outcome.tombstoned ?? 0) + (outcome.swept ?? 0);
  if (outcome.outcome === 'throttled') counters.throttled++;
  if (outcome.outcome === 'retrying') counters.retried++;
}

export interface LocalStackOptions {
  /** Prefix of the tables, queues and bucket. */
  prefix: string;
  simulator: StartSimulatorOptions;
  /** Keep the handlers' JSON logs (stdout); off, the handlers are silent. */
  handlerLogs: boolean;
  /** Records per worker invocation. */
  batchSize: number;
  /** Worker invocations at once. */
  workerConcurrency: number;
  /** Minutes between two syncs of a folder started by the tick (default 0: every tick). */
  syncIntervalMinutes?: number;
  /** Sees every job's outcome. */
  onOutcome?: (outcome: JobOutcome) => void;
  /** Receiving from or acknowledging to the queue failed; the poller goes on. */
  onPollError?: (error: unknown) => void;
}

export interface LocalStack {
  aws: LocalAws;
  simulator: RunningSimulator;
  resources: LocalResources;
  /** The environment the handlers read (infra/resources.ts ENV). */
  handlerEnvironment: Record<string, string>;
  container: Container;
  poller: LambdaSqsPoller;
  /** One scheduler invocation, as EventBridge Scheduler would make it. */
  tick(): Promise<FanOutOutcome>;
  /** Stops the worker, then every server. Safe to call more than once. */
  stop(): Promise<void>;
}

/** The process environment the SDK and the handlers need on the stand-ins. */
export function useLocalProcessEnvironment(handlerLogs: boolean): void {
  // The SDK needs a region and some credentials; the stand-ins accept any.
  process.env.AWS_REGION = LOCAL_REGION;
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  delete process.env.AWS_PROFILE;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  // The SDK's note that its 2027 releases need Node 22 concerns whoever upgrades the SDK, not a
  // local run: printed, it lands in the middle of the progress display.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (!handlerLogs) process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  useLocalProcessEnvironment(options.handlerLogs);
  // The simulator starts in milliseconds; DynamoDB Local (a JVM) may fail (no Java) or take long.
  const simulator = await startSimulator(options.simulator);
  let aws: LocalAws;
  try {
    aws = await startLocalAws();
  } catch (error) {
    await simulator.close();
    throw error;
  }
  let container: Container | undefined;
  let poller: LambdaSqsPoller | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await poller?.stop().catch(() => {});
      container?.destroy();
      await Promise.allSettled([simulator.close(), aws.stop()]);
    })();
    return stopped;
  };
  try {
    const resources = await createResources(aws.clients, {
      prefix: options.prefix,
      visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
    });
    // Loaded here, after the environment above is set: the handlers' logger and metrics read it
    // when their modules load.
    const { createLocalContainer, readHandlerEnv, createWorkerHandler, createSchedulerHandler } =
      await loadHandlers();
    const handlerEnvironment = {
      ...localHandlerEnvironment(resources, aws.endpoints, { leaseMs: WORKER_TIMEOUT_MS + 5_000 }),
      ...(options.syncIntervalMinutes === undefined
        ? {}
        : { [ENV.syncIntervalMinutes]: String(options.syncIntervalMinutes) }),
    };
    const started = createLocalContainer(
      readHandlerEnv(handlerEnvironment),
      standInSeams(aws.endpoints, simulatorCredentials(simulator)),
    );
    container = started;
    poller = new LambdaSqsPoller({
      client: aws.clients.sqs,
      queueUrl: resources.queueUrl,
      handler: createWorkerHandler(started, { onOutcome: options.onOutcome }),
      batchSize: options.batchSize,
      maxConcurrency: options.workerConcurrency,
      timeoutMs: WORKER_TIMEOUT_MS,
      onPollError: options.onPollError,
    });
    await poller.start();
    const scheduler = createSchedulerHandler(started);
    return {
      aws,
      simulator,
      resources,
      handlerEnvironment,
      container: started,
      poller,
      tick: () => scheduler({}, schedulerContext()),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function schedulerContext(): Context {
  return createLambdaContext({
    functionName: 'exchange-sync-scheduler',
    timeoutMs: 60_000,
    memoryMb: 256,
    region: LOCAL_REGION,
  });
}
