// The main job on the embedded default: DynamoDB Local, fauxqs and the Exchange simulator,
// driven through the real handlers the way Lambda would drive them. Round 1 is a full sync; each
// later round mutates the organisation first; then the whole mirror is checked against the
// simulator's ground truth.
import { randomBytes } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { PROJECT_PREFIX } from '../../infra/resources.js';
import {
  HIERARCHY_CURSOR_ID,
  type JobOutcome,
  MAIL_SOURCE_KINDS,
  type Mailbox,
  type MailSourceKind,
} from '../../lib/core/index.js';
import { createResources } from '../../local/create-resources.js';
import {
  createLambdaContext,
  LambdaSqsPoller,
  LOCAL_REGION,
  type LocalAws,
  queueDepth,
  standInSeams,
  startLocalAws,
} from '../../local/index.js';
import { type RunningSimulator, startSimulator } from '../../simulator/index.js';
import type { LocalRunOptions } from './options.js';
import {
  compareMirror,
  leftOutFolders,
  loadHandlers,
  localHandlerEnvironment,
  simulatorCredentials,
  simulatorMailboxes,
} from './pipeline.js';
import { waitForQuiet } from './quiescence.js';
import { countOutcome, useLocalProcessEnvironment } from './stack.js';
import { type FolderComparison, summarize, type VerificationSummary } from './verify.js';

export { DEFAULT_LOCAL_RUN, type LocalRunOptions } from './options.js';

/** Live counters, fed by the worker's outcomes. */
export interface RunCounters {
  pages: number;
  changesApplied: number;
  throttled: number;
  retried: number;
  jobs: number;
}

export interface ProgressSnapshot extends RunCounters {
  round: number;
  rounds: number;
  phase: 'starting' | 'syncing' | 'verifying' | 'done';
  foldersDone: number;
  foldersTotal: number;
  elapsedMs: number;
}

export type ProgressListener = (snapshot: ProgressSnapshot) => void;

export interface RoundReport {
  round: number;
  mutationsApplied: number;
  pages: number;
  changesApplied: number;
  durationMs: number;
}

export interface LocalRunSummary extends Omit<VerificationSummary, 'differences'> {
  mailboxes: number;
  /** Folders on the server that the mailboxes' filters do not select (not synced). */
  foldersLeftOut: number;
  pages: number;
  changesApplied: number;
  throttled: number;
  maxConcurrentSyncCallsPerMailbox: number;
  /** Graph allows 4 requests in flight per mailbox: this must stay at or under it. */
  maxConcurrentGraphRequestsPerMailbox: number;
  /** The verification per protocol (only those with mailboxes). */
  sources: Partial<Record<MailSourceKind, SourceSummary>>;
  durationMs: number;
}

export type SourceSummary = { mailboxes: number } & Omit<VerificationSummary, 'differences'>;

/** The verification split by the protocol each mailbox was synced through. */
function bySource(mailboxes: readonly Mailbox[], comparisons: readonly FolderComparison[]) {
  const out: Partial<Record<MailSourceKind, SourceSummary>> = {};
  for (const kind of MAIL_SOURCE_KINDS) {
    const ids = new Set(mailboxes.filter((m) => m.source.kind === kind).map((m) => m.mailboxId));
    if (ids.size === 0) continue;
    const { differences: _differences, ...verification } = summarize(
      comparisons.filter((c) => ids.has(c.mailboxId)),
    );
    out[kind] = { mailboxes: ids.size, ...verification };
  }
  return out;
}

export interface LocalRunReport {
  summary: LocalRunSummary;
  rounds: RoundReport[];
  differences: FolderComparison[];
  /** The folders counted in foldersLeftOut, by display name. */
  leftOut: { mailboxId: string; displayName: string }[];
  /** Messages that ended in the dead-letter queue (should be 0). */
  deadLetters: number;
}

/** Short timeouts so a failed message comes back quickly; the lease outlives the invocation. */
const WORKER_TIMEOUT_MS = 15_000;
const VISIBILITY_TIMEOUT_SECONDS = 20;

function simulatorFaults(rate: number) {
  // Spread the rate over the failure kinds real servers produce.
  const share = rate / 4;
  return {
    http503: share,
    transient500: share,
    truncate: share,
    drop: share,
    controlChars: rate,
    retryAfterSeconds: 1,
  };
}

export async function runLocal(
  options: LocalRunOptions,
  onProgress: ProgressListener = () => {},
): Promise<LocalRunReport> {
  const started = Date.now();
  const counters: RunCounters = { pages: 0, changesApplied: 0, throttled: 0, retried: 0, jobs: 0 };
  const progress: ProgressSnapshot = {
    ...counters,
    round: 0,
    rounds: options.rounds,
    phase: 'starting',
    foldersDone: 0,
    foldersTotal: 0,
    elapsedMs: 0,
  };
  const emit = () => onProgress({ ...progress, ...counters, elapsedMs: Date.now() - started });

  useLocalProcessEnvironment(options.handlerLogs);
  emit();

  const password = randomBytes(12).toString('base64url');
  /** What has started so far, for the finally to stop. */
  const running: { aws?: LocalAws; simulator?: RunningSimulator } = {};
  let poller: LambdaSqsPoller | undefined;
  let destroyContainer: (() => void) | undefined;
  try {
    // Settled, not all: when one fails (no Java for DynamoDB Local) the other may still start,
    // and the finally below must stop it or its open server keeps the process alive for ever.
    const [awsStart, simulatorStart] = await Promise.allSettled([
      startLocalAws(),
      startSimulator({
        port: 0,
        seed: options.seed,
        mailboxes: options.mailboxes,
        foldersPerMailbox: options.foldersPerMailbox,
        itemsPerMailbox: options.itemsPerMailbox,
        username: 'sync-service',
        password,
        config: {
          latency: { fixedMs: options.latencyMs, jitterMs: options.latencyMs / 5 },
          backOffMs: 1000,
          // With faults on, the server allows one call fewer than we would make, so the
          // throttling path (shared back-off) runs too.
          concurrentSyncCalls: options.faultRate > 0 ? Math.max(1, options.concurrencyPerMailbox - 1) : 5,
          faults: simulatorFaults(options.faultRate),
          // What Graph users report, always: no order, replays, empty pages that go on; with
          // faults, delta tokens that expire (410) too.
          graph: {
            shuffle: true,
            replayRate: 0.05,
            emptyPageRate: 0.02,
            tokenExpiryRate: options.faultRate / 4,
            retryAfterSeconds: 1,
          },
        },
      }),
    ]);
    if (awsStart.status === 'fulfilled') running.aws = awsStart.value;
    if (simulatorStart.status === 'fulfilled') running.simulator = simulatorStart.value;
    if (awsStart.status === 'rejected') throw awsStart.reason;
    if (simulatorStart.status === 'rejected') throw simulatorStart.reason;
    const aws = awsStart.value;
    const simulator = simulatorStart.value;
    const resources = await createResources(aws.clients, {
      prefix: `${PROJECT_PREFIX}-local`,
      visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
    });

    // Loaded here, after the environment above is set: the handlers' logger and metrics read it
    // when their modules load.
    const { createLocalContainer, readHandlerEnv, createWorkerHandler, createSchedulerHandler } =
      await loadHandlers();
    const container = createLocalContainer(
      readHandlerEnv(
        localHandlerEnvironment(resources, aws.endpoints, { leaseMs: WORKER_TIMEOUT_MS + 5_000 }),
      ),
      standInSeams(aws.endpoints, simulatorCredentials(simulator)),
    );
    destroyContainer = container.destroy;

    const mailboxes = simulatorMailboxes(simulator, {
      pageSize: options.pageSize,
      maxConcurrentSyncs: options.concurrencyPerMailbox,
      source: options.source,
    });
    await Promise.all(mailboxes.map((mailbox) => container.deps.registry.put(mailbox)));

    const onOutcome = (outcome: JobOutcome) => countOutcome(counters, outcome);
    poller = new LambdaSqsPoller({
      client: aws.clients.sqs,
      queueUrl: resources.queueUrl,
      handler: createWorkerHandler(container, { onOutcome }),
      batchSize: options.batchSize,
      maxConcurrency: options.workerConcurrency,
      timeoutMs: WORKER_TIMEOUT_MS,
    });
    await poller.start();
    const tick = createSchedulerHandler(container);
    const lambdaContext = (): Context =>
      createLambdaContext({
        functionName: 'exchange-sync-scheduler',
        timeoutMs: 60_000,
        memoryMb: 256,
        region: LOCAL_REGION,
      });

    const countFolders = async (since: number) => {
      const cursors = (
        await Promise.all(mailboxes.map((m) => container.deps.cursors.listByMailbox(m.mailboxId)))
      ).flat();
      const folders = cursors.filter((c) => c.folderId !== HIERARCHY_CURSOR_ID && c.stop === undefined);
      progress.foldersTotal = folders.length;
      progress.foldersDone = folders.filter(
        (c) => c.status === 'idle' && (c.lastSyncedAt ?? 0) >= since,
      ).length;
    };

    const rounds: RoundReport[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      const roundStart = Date.now();
      const before = { ...counters };
      const mutationsApplied =
        round === 1
          ? 0
          : simulator.sim.mutate({ count: options.mutations, seed: options.seed * 1000 + round }).length;
      progress.round = round;
      progress.phase = 'syncing';
      await tick({}, lambdaContext());
      let polling = false;
      await waitForQuiet(
        { sqs: aws.clients.sqs, queueUrl: resources.queueUrl, inFlight: () => poller!.stats().inFlight },
        {
          timeoutMs: options.roundTimeoutMs,
          onPoll: () => {
            if (polling) return;
            polling = true;
            countFolders(roundStart)
              .catch(() => {})
              .finally(() => {
                polling = false;
                emit();
              });
          },
        },
      );
      await countFolders(roundStart);
      emit();
      rounds.push({
        round,
        mutationsApplied,
        pages: counters.pages - before.pages,
        changesApplied: counters.changesApplied - before.changesApplied,
        durationMs: Date.now() - roundStart,
      });
    }

    progress.phase = 'verifying';
    emit();
    const comparisons = await compareMirror(container.deps, simulator.sim, mailboxes);
    const verification: VerificationSummary = summarize(comparisons);
    const leftOut = leftOutFolders(simulator.sim, mailboxes);
    const stats = simulator.sim.stats.snapshot();
    const deadLetters = await queueDepth(aws.clients.sqs, resources.deadLetterQueueUrl);
    progress.phase = 'done';
    emit();
    return {
      summary: {
        verified: verification.verified && deadLetters === 0,
        mailboxes: mailboxes.length,
        folders: verification.folders,
        foldersGone: verification.foldersGone,
        foldersLeftOut: leftOut.length,
        serverItems: verification.serverItems,
        mirroredItems: verification.mirroredItems,
        missing: verification.missing,
        extra: verification.extra,
        stale: verification.stale,
        pages: counters.pages,
        changesApplied: counters.changesApplied,
        throttled: counters.throttled,
        maxConcurrentSyncCallsPerMailbox: Math.max(0, ...Object.values(stats.maxConcurrentSyncCalls)),
        maxConcurrentGraphRequestsPerMailbox: Math.max(0, ...Object.values(stats.maxConcurrentGraphRequests)),
        sources: bySource(mailboxes, comparisons),
        durationMs: Date.now() - started,
      },
      rounds,
      differences: verification.differences,
      leftOut: leftOut.map(({ mailboxId, displayName }) => ({ mailboxId, displayName })),
      deadLetters,
    };
  } finally {
    await poller?.stop().catch(() => {});
    destroyContainer?.();
    await Promise.allSettled([running.simulator?.close(), running.aws?.stop()]);
  }
}
