// Fan-out speed: how long from a scheduler tick until a folder job is queued for each of 10,000
// due folders, done the way production does it. The tick (fanOutTick) queues one hierarchy job
// per mailbox; each hierarchy job, run concurrently as Lambda would, makes one real
// SyncFolderHierarchy call to the simulator over HTTP (steady state: no folder changes), then
// enqueues a job per due folder through the WorkQueue (parallel SendMessageBatch).
// Everything runs on DynamoDB Local and fauxqs through the handlers' composition root.
// DESIGN budget: 10,000 folders in <= 10 s locally.
// Baselines in the same run, for the same 10,000 job bodies: SendMessageBatch one call after
// another, and single SendMessage calls one after another.
import {
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { ENV } from '../infra/resources.js';
import { LocalCredentialsResolver } from '../lib/adapters/secrets/index.js';
import type { Container } from '../lib/app/container.js';
import { readHandlerEnv } from '../lib/app/env.js';
import {
  type CoreDeps,
  type Cursor,
  DEFAULT_FOLDER_FILTER,
  type FolderJob,
  fanOutTick,
  type Mailbox,
  parseSyncJob,
  runSyncJob,
  serializeSyncJob,
  startJob,
} from '../lib/core/index.js';
import { createLocalContainer, standInSeams } from '../local/container.js';
import { createQueues, createResources, resourceEnvironment } from '../local/create-resources.js';
import { type LocalAws, startLocalAws } from '../local/local-aws.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/local-aws-clients.js';
import { type RunningSimulator, startSimulator } from '../simulator/server.js';

const MAILBOXES = 20;
/** Each generated mailbox also has 10 distinguished folders the default filter selects. */
const CUSTOM_FOLDERS_PER_MAILBOX = 490;
const TARGET_FOLDERS = 10_000;
const RUNS = 5;
const BUDGET_MS = 10_000;

// The composition root's SDK clients take region and credentials from the environment.
process.env.AWS_REGION = LOCAL_REGION;
process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
delete process.env.AWS_PROFILE;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rate = (count: number, ms: number) =>
  `${Math.round((count * 1000) / ms).toLocaleString('en-US')} msg/s`;

async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? Number.NaN);
}

let aws: LocalAws | undefined;
let simulator: RunningSimulator | undefined;
const containers: Container[] = [];

try {
  [aws, simulator] = await Promise.all([
    startLocalAws(),
    startSimulator({
      seed: 7,
      mailboxes: MAILBOXES,
      foldersPerMailbox: CUSTOM_FOLDERS_PER_MAILBOX,
      itemsPerMailbox: 0,
    }),
  ]);
  const { sqs } = aws.clients;
  const prefix = `bench-fanout-${process.pid}`;
  const resources = await createResources(aws.clients, { prefix });

  /** The handlers' container, sending to `queueUrl`, able to log on to the simulator. */
  const containerFor = (queueUrl: string): Container => {
    const container = createLocalContainer(
      readHandlerEnv({
        ...resourceEnvironment(resources, aws!.endpoints),
        [ENV.syncQueueUrl]: queueUrl,
      }),
      standInSeams(
        aws!.endpoints,
        new LocalCredentialsResolver({
          sim: { type: 'basic', username: simulator!.username, password: simulator!.password },
        }),
      ),
    );
    containers.push(container);
    return container;
  };

  // The tick sends hierarchy jobs to the sync queue; each run's folder jobs go to a fresh queue
  // of their own so they can be counted (in AWS both are the one sync queue).
  const tick = containerFor(resources.queueUrl);
  // Each run is one sync interval later, so every hierarchy cursor is due again; folder cursors
  // stay idle and never synced (no worker runs them), so every selected folder is due.
  let offsetMs = 0;
  const clock = { now: () => Date.now() + offsetMs };
  const tickDeps: CoreDeps = { ...tick.deps, clock };

  const now = Date.now();
  const mailboxes: Mailbox[] = simulator.sim.groundTruth().map(({ smtp }) => ({
    mailboxId: smtp.toLowerCase(),
    source: { kind: 'ews', smtpAddress: smtp, endpoint: simulator!.url },
    credentialsRef: 'local:sim',
    folderFilter: DEFAULT_FOLDER_FILTER,
    pageSize: 512,
    properties: [],
    maxConcurrentSyncs: 4,
    status: 'enabled',
    createdAt: now,
    updatedAt: now,
  }));
  await Promise.all(mailboxes.map((m) => tick.deps.registry.put(m)));

  /**
   * One fan-out: tick, then every hierarchy job received and run concurrently (as Lambda's SQS
   * event source would). Resolves when the last folder job is queued.
   */
  const fanOut = async (folderQueueUrl: string) => {
    // One container per hierarchy job, as each concurrent Lambda invocation has its own clients.
    const workers = Array.from({ length: MAILBOXES }, () => ({
      ...containerFor(folderQueueUrl).deps,
      clock,
    }));
    const t0 = performance.now();
    const tickOutcome = await fanOutTick(tickDeps, { remainingMs: () => Number.POSITIVE_INFINITY });
    const tickMs = performance.now() - t0;
    let received = 0;
    let folderJobs = 0;
    // Due folders start in lanes (one job per mailbox slot), so the queue holds lanes.
    let laneJobs = 0;
    let started = 0;
    const pages: Promise<void>[] = [];
    while (received < tickOutcome.hierarchyJobs) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: resources.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      received += Messages.length;
      if (Messages.length > 0) {
        pages.push(
          sqs
            .send(
              new DeleteMessageBatchCommand({
                QueueUrl: resources.queueUrl,
                Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
              }),
            )
            .then(() => undefined),
        );
      }
      for (const message of Messages) {
        const job = parseSyncJob(message.Body!);
        pages.push(
          runSyncJob(workers[started++ % workers.length]!, job, {
            owner: `bench-${job.jobId}`,
            remainingMs: () => 60_000,
          }).then((outcome) => {
            if (outcome.type === 'fanout' || outcome.outcome !== 'completed')
              throw new Error(`hierarchy job ended ${outcome.outcome}: ${JSON.stringify(outcome)}`);
            folderJobs += outcome.foldersDue ?? 0;
            laneJobs += outcome.enqueued;
          }),
        );
      }
    }
    await Promise.all(pages);
    const totalMs = performance.now() - t0;
    return { tickMs, totalMs, hierarchyJobs: tickOutcome.hierarchyJobs, folderJobs, laneJobs };
  };

  const freshQueue = async (name: string) =>
    (await createQueues(sqs, { prefix: `${prefix}-${name}` })).queueUrl;
  const dropQueue = (queueUrl: string) => sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  const nextInterval = () => {
    offsetMs += tick.deps.config.syncIntervalMs + 1_000;
  };

  // Setup (not measured): the first hierarchy sync of each mailbox creates its folder cursors.
  const setupQueue = await freshQueue('setup');
  const setupStart = performance.now();
  const setup = await fanOut(setupQueue);
  console.log(
    `setup: first hierarchy sync of ${MAILBOXES} mailboxes created the folder cursors in ` +
      `${seconds(performance.now() - setupStart)}`,
  );
  await dropQueue(setupQueue);
  const selected: Cursor[] = [];
  for (const m of mailboxes) {
    selected.push(
      ...(await tick.deps.cursors.listByMailbox(m.mailboxId)).filter(
        (c) => c.kind === 'folder' && c.status === 'idle',
      ),
    );
  }
  if (selected.length !== TARGET_FOLDERS || setup.folderJobs !== TARGET_FOLDERS) {
    throw new Error(
      `expected ${TARGET_FOLDERS} selected folders, found ${selected.length} (setup queued ${setup.folderJobs})`,
    );
  }
  console.log(`${selected.length.toLocaleString('en-US')} selected folders in ${MAILBOXES} mailboxes\n`);

  const measured: { tickMs: number; totalMs: number }[] = [];
  for (let run = 0; run <= RUNS; run++) {
    nextInterval();
    const queueUrl = await freshQueue(`run${run}`);
    const result = await fanOut(queueUrl);
    const depth = await queueDepth(sqs, queueUrl);
    await dropQueue(queueUrl);
    if (result.folderJobs !== TARGET_FOLDERS || depth !== result.laneJobs) {
      throw new Error(
        `run ${run}: ${result.folderJobs} folders due, ${result.laneJobs} lane jobs reported, ${depth} on the queue`,
      );
    }
    const label = run === 0 ? 'warm-up' : `run ${run}`;
    console.log(
      `${label.padEnd(8)} tick ${seconds(result.tickMs)} (${result.hierarchyJobs} hierarchy jobs), ` +
        `all ${TARGET_FOLDERS.toLocaleString('en-US')} due folders queued (${result.laneJobs} lanes) after ${seconds(result.totalMs)}`,
    );
    if (run > 0) measured.push(result);
  }

  // Baselines: the same job bodies, without the pipeline, on fresh queues.
  const bodies = selected.map((c) => serializeSyncJob(startJob(c, tick.deps.random) as FolderJob));
  const timeBaseline = async (name: string, send: (queueUrl: string) => Promise<void>) => {
    const queueUrl = await freshQueue(name);
    const t0 = performance.now();
    await send(queueUrl);
    const ms = performance.now() - t0;
    const depth = await queueDepth(sqs, queueUrl);
    await dropQueue(queueUrl);
    if (depth !== bodies.length)
      throw new Error(`${name}: ${depth} of ${bodies.length} messages on the queue`);
    return ms;
  };
  const batchSequential: number[] = [];
  for (let i = 0; i < 3; i++) {
    batchSequential.push(
      await timeBaseline(`batch${i}`, async (queueUrl) => {
        for (let start = 0; start < bodies.length; start += 10) {
          const entries = bodies
            .slice(start, start + 10)
            .map((body, j) => ({ Id: String(j), MessageBody: body }));
          const result = await sqs.send(
            new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
          );
          if ((result.Failed ?? []).length > 0) throw new Error('batch entries failed');
        }
      }),
    );
  }
  // Where the fan-out's time goes: the same sends through the WorkQueue adapter alone (parallel
  // batches), and the cursor reads of the hierarchy stage alone.
  const workQueueOnly: number[] = [];
  for (let i = 0; i < 3; i++) {
    workQueueOnly.push(
      await timeBaseline(`adapter${i}`, (queueUrl) =>
        containerFor(queueUrl).deps.queue.send(selected.map((c) => ({ job: startJob(c, tick.deps.random) }))),
      ),
    );
  }
  const readsOnly: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await Promise.all(mailboxes.map((m) => tick.deps.cursors.listByMailbox(m.mailboxId)));
    readsOnly.push(performance.now() - t0);
  }
  // Once only: it is the slowest by far.
  const single = await timeBaseline('single', async (queueUrl) => {
    for (const body of bodies)
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  });

  const fanout = median(measured.map((m) => m.totalMs));
  const tickMedian = median(measured.map((m) => m.tickMs));
  const batch = median(batchSequential);
  console.log(`\nfan-out of ${TARGET_FOLDERS.toLocaleString('en-US')} folders (median of ${RUNS} runs)`);
  console.log(
    `  tick -> all folder jobs queued    ${seconds(fanout).padStart(9)}  ${rate(TARGET_FOLDERS, fanout)}`,
  );
  console.log(`    of which the tick (fanOutTick)  ${seconds(tickMedian).padStart(9)}`);
  console.log(
    `  parts: WorkQueue.send of the 10,000 jobs alone ${seconds(median(workQueueOnly))}, listing all cursors alone ${seconds(median(readsOnly))} (medians of 3)`,
  );
  console.log(
    `baseline: sequential SendMessageBatch ${seconds(batch).padStart(7)}  ${rate(TARGET_FOLDERS, batch)} (median of 3)`,
  );
  console.log(
    `baseline: sequential SendMessage      ${seconds(single).padStart(7)}  ${rate(TARGET_FOLDERS, single)} (1 run)`,
  );
  console.log(`ratio: fan-out is ${(batch / fanout).toFixed(2)}x the speed of sequential SendMessageBatch`);
  console.log(`ratio: fan-out is ${(single / fanout).toFixed(2)}x the speed of sequential SendMessage`);
  console.log(`budget (DESIGN.md): <= ${seconds(BUDGET_MS)}: ${fanout <= BUDGET_MS ? 'met' : 'NOT met'}`);
} finally {
  for (const container of containers) container.destroy();
  await simulator?.close();
  await aws?.stop();
}
