// One scheduler tick and every job it causes: the scheduler handler runs once, a poller feeds the
// worker handler from the queue as Lambda's event source does, and the call returns once the queue
// is empty and nothing is in flight. Shared by bench:sync and bench:cost.
import type { loadHandlers } from '../../cli/local/pipeline.js';
import { waitForQuiet } from '../../cli/local/quiescence.js';
import type { JobOutcome } from '../../lib/core/index.js';
import { createLambdaContext, LambdaSqsPoller, LOCAL_REGION, type LocalAws } from '../../local/index.js';

type Handlers = Awaited<ReturnType<typeof loadHandlers>>;
type Container = ReturnType<Handlers['createLocalContainer']>;

export interface TickRun {
  /** When the scheduler was called, and when the last job outcome was reported. */
  startedAt: number;
  lastOutcomeAt: number;
  /** Worker invocations (Lambda requests) and the wall time they took together. */
  invocations: number;
  workerMs: number;
  /**
   * CPU time of this process while the tick ran (user + system): the workers' own, plus the
   * poller's and the SQS emulator's, which run here too; an upper bound of the workers' CPU.
   */
  cpuMs: number;
}

export async function tickUntilQuiet(
  aws: LocalAws,
  queueUrl: string,
  handlers: Handlers,
  container: Container,
  onOutcome: (outcome: JobOutcome) => void = () => {},
): Promise<TickRun> {
  let lastOutcomeAt = 0;
  let workerMs = 0;
  const worker = handlers.createWorkerHandler(container, {
    onOutcome: (outcome) => {
      lastOutcomeAt = Date.now();
      onOutcome(outcome);
    },
  });
  const poller = new LambdaSqsPoller({
    client: aws.clients.sqs,
    queueUrl,
    handler: async (event, context) => {
      const started = performance.now();
      try {
        return await worker(event, context);
      } finally {
        workerMs += performance.now() - started;
      }
    },
    batchSize: 5,
    maxConcurrency: 16,
    timeoutMs: 60_000,
  });
  await poller.start();
  const startedAt = Date.now();
  const cpuBefore = process.cpuUsage();
  const context = { functionName: 'bench-scheduler', timeoutMs: 60_000, memoryMb: 512, region: LOCAL_REGION };
  await handlers.createSchedulerHandler(container)({}, createLambdaContext(context));
  await waitForQuiet(
    { sqs: aws.clients.sqs, queueUrl, inFlight: () => poller.stats().inFlight },
    { timeoutMs: 30 * 60_000, intervalMs: 50 },
  );
  const cpu = process.cpuUsage(cpuBefore);
  const { invocations } = poller.stats();
  await poller.stop();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { startedAt, lastOutcomeAt: lastOutcomeAt || startedAt, invocations, workerMs, cpuMs };
}
