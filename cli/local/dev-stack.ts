// `exchange-sync dev`: the local stack kept running for an operator. The worker polls the queue
// and the scheduler ticks every few seconds, as in AWS but sooner, so the operator commands in
// another terminal act on a live system; nothing is registered unless asked.
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_PREFIX } from '../../infra/resources.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/index.js';
import type { DevStackOptions } from './dev-options.js';
import { LOCAL_CREDENTIALS_NAME, LOCAL_GRAPH_CREDENTIALS_NAME, simulatorMailboxes } from './pipeline.js';
import { countOutcome, type LocalStack, startLocalStack, type WorkerCounters } from './stack.js';

export interface DevStackEvents {
  /** After every tick, with the worker's totals so far. */
  onTick?(activity: WorkerCounters): void;
  /** A tick failed, or the worker could not poll; both go on. */
  onError?(error: unknown, what: 'tick' | 'worker poll'): void;
}

export interface DevStack {
  stack: LocalStack;
  /**
   * What a second terminal needs, by the names the CLI, the AWS SDK and AWS CLI read: the
   * handlers' environment, a region with dummy credentials, per-service endpoints, and the
   * simulator's URLs and mailboxes (for curl and `mailbox add`).
   */
  environment: Record<string, string>;
  /** Mailboxes registered at start. */
  registered: string[];
  /** The credential references the simulator's mailboxes are registered with. */
  credentials: { ews: string; graph: string };
  stop(): Promise<void>;
}

export async function startDevStack(
  options: DevStackOptions,
  events: DevStackEvents = {},
): Promise<DevStack> {
  const activity: WorkerCounters = { jobs: 0, pages: 0, changesApplied: 0, throttled: 0, retried: 0 };
  const stack = await startLocalStack({
    prefix: `${PROJECT_PREFIX}-dev`,
    simulator: {
      port: 0,
      seed: options.organisation.seed,
      mailboxes: options.organisation.mailboxes,
      foldersPerMailbox: options.organisation.foldersPerMailbox,
      itemsPerMailbox: options.organisation.itemsPerMailbox,
      config: { latency: { fixedMs: options.organisation.latencyMs, jitterMs: 0 } },
    },
    handlerLogs: options.handlerLogs,
    syncIntervalMinutes: options.syncIntervalMinutes,
    batchSize: 5,
    workerConcurrency: options.workerConcurrency,
    onOutcome: (outcome) => countOutcome(activity, outcome),
    onPollError: (error) => events.onError?.(error, 'worker poll'),
  });
  let ticking: { stop(): Promise<void> } | undefined;
  try {
    const { simulator } = stack;
    const seeded = simulatorMailboxes(simulator, { pageSize: 100, maxConcurrentSyncs: 4 }).slice(
      0,
      options.register,
    );
    await Promise.all(seeded.map((mailbox) => stack.container.deps.registry.put(mailbox)));
    ticking = tickEvery(
      options.tickSeconds * 1000,
      async () => {
        await stack.tick();
        events.onTick?.({ ...activity });
      },
      (error) => events.onError?.(error, 'tick'),
    );
    const started = ticking;
    const mailboxes = simulator.sim.groundTruth().map((m) => m.smtp);
    const { dynamodb, sqs } = stack.aws.endpoints;
    return {
      stack,
      environment: {
        ...stack.handlerEnvironment,
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: dynamodb,
        AWS_ENDPOINT_URL_SQS: sqs,
        AWS_ENDPOINT_URL_S3: sqs,
        SIMULATOR_EWS_URL: simulator.url,
        SIMULATOR_ADMIN_URL: simulator.adminUrl,
        SIMULATOR_GRAPH_URL: simulator.graph.baseUrl,
        SIMULATOR_TENANT: simulator.graph.tenantId,
        SIMULATOR_MAILBOX: mailboxes[0]!,
        SIMULATOR_MAILBOXES: mailboxes.join(' '),
      },
      registered: seeded.map((m) => m.mailboxId),
      credentials: { ews: `local:${LOCAL_CREDENTIALS_NAME}`, graph: `local:${LOCAL_GRAPH_CREDENTIALS_NAME}` },
      async stop() {
        await started.stop();
        await stack.stop();
      },
    };
  } catch (error) {
    await ticking?.stop();
    await stack.stop();
    throw error;
  }
}

/** Runs `task` now and then every `intervalMs` after it ends, until stopped; never two at once. */
function tickEvery(
  intervalMs: number,
  task: () => Promise<void>,
  onError: (error: unknown) => void,
): { stop(): Promise<void> } {
  const stopping = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      await task().catch(onError);
      await sleep(intervalMs, undefined, { signal: stopping.signal }).catch(() => {});
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
