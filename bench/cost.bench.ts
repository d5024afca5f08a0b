// npm run bench:cost [-- --help]: what syncing costs in AWS requests, counted on the real local
// parts (DynamoDB Local, fauxqs for SQS and S3, the simulator in its own process) by an SDK
// middleware on every client (support/aws-request-counter.ts). Three phases on one deployment:
//   1. a full sync of the organisation: $ per million changes;
//   2. an idle tick with every folder due (nothing changed on the server): one idle sync of each
//      folder, with the scheduler's and the hierarchy's share;
//   3. an idle tick with nothing due (the folders synced in phase 2, interval not yet over).
// $ per idle folder-month = (phase 2 x syncs a month + phase 3 x the other ticks) / folders, at
// the configured tick and interval (default 5 and 15 minutes, as deployed). Prices: support/aws-prices.ts.
// It measures and reports; it changes nothing in the engine.
import { type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  compareMirror,
  loadHandlers,
  localHandlerEnvironment,
  simulatorCredentials,
  simulatorMailboxes,
} from '../cli/local/pipeline.js';
import { summarize } from '../cli/local/verify.js';
import { ENV } from '../infra/resources.js';
import { HIERARCHY_CURSOR_ID } from '../lib/core/index.js';
import { createResources, LOCAL_REGION, standInSeams, startLocalAws } from '../local/index.js';
import {
  costOf,
  isPriced,
  lambdaCost,
  lambdaTimeAt,
  MB_PER_VCPU,
  MINUTES_PER_MONTH,
  PRICES,
} from './support/aws-prices.js';
import { AwsRequestCounter, type CommandCount } from './support/aws-request-counter.js';
import { loadAverage } from './support/distribution.js';
import { itemBytes, writeUnits } from './support/dynamo-item-size.js';
import { startSimulatorProcess } from './support/sync-simulator-process.js';
import { type TickRun, tickUntilQuiet } from './support/tick-until-quiet.js';

/** garethp-o365-sfi-response-empty-changes-selfclosing.xml: an idle SyncFolderItems answer's state. */
const REAL_SYNC_STATE_BYTES = 457;

const int = (min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
  return n;
};

const options = new Command('bench:cost')
  .description('AWS requests and $ of a full sync and of idle ticks, counted on DynamoDB Local + fauxqs')
  .addOption(new Option('--source <source>', 'mail source').choices(['ews', 'graph']).default('ews'))
  .option('--mailboxes <n>', 'mailboxes', int(1), 1)
  .option('--folders <n>', 'custom folders per mailbox (besides the well-known ones)', int(0), 20)
  .option('--items <n>', 'items per mailbox', int(0), 5000)
  .option('--page-size <n>', 'items per page', int(1), 512)
  .option(
    '--latency-ms <ms>',
    "the server's answer time: the counts depend on it a little (how an answer read ahead meets its page's writes)",
    int(0),
    100,
  )
  .option('--tick-minutes <n>', 'minutes between scheduler ticks (deployed default 5)', int(1), 5)
  .option('--interval-minutes <n>', 'minutes between syncs of a folder (deployed default 15)', int(1), 15)
  .option(
    '--worker-memory-mb <n>',
    "the worker's memory, for Lambda's GB-seconds (deployed default 512)",
    int(128),
    512,
  )
  .parse(['node', 'bench:cost', ...process.argv.slice(2)])
  .opts<{
    source: 'ews' | 'graph';
    mailboxes: number;
    folders: number;
    items: number;
    pageSize: number;
    latencyMs: number;
    tickMinutes: number;
    intervalMinutes: number;
    workerMemoryMb: number;
  }>();
if (options.intervalMinutes < options.tickMinutes)
  throw new InvalidArgumentError('--interval-minutes must be at least --tick-minutes');

process.env.AWS_REGION = LOCAL_REGION;
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const counter = new AwsRequestCounter().install();
const usd = (value: number) => `$${value < 0.01 ? value.toPrecision(3) : value.toFixed(4)}`;

function printCounts(
  title: string,
  counts: ReadonlyMap<string, CommandCount>,
  per: number,
  perName: string,
): void {
  console.log(`${title}`);
  console.log(
    `  ${'request'.padEnd(34)} ${'calls'.padStart(7)} ${'failed'.padStart(6)} ${'RRU'.padStart(8)} ${'WRU'.padStart(8)}  calls/${perName}`,
  );
  for (const [key, c] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    const estimated = c.estimated > 0 ? `  (${c.estimated} estimated)` : '';
    const priced = isPriced(key) ? '' : '  (not billed per use)';
    console.log(
      `  ${key.padEnd(34)} ${String(c.calls).padStart(7)} ${String(c.failed).padStart(6)} ` +
        `${c.readUnits.toFixed(1).padStart(8)} ${c.writeUnits.toFixed(1).padStart(8)}  ${(c.calls / per).toFixed(2)}${estimated}${priced}`,
    );
  }
  const cost = costOf(counts);
  console.log(
    `  requests: ${usd(cost.requests)} (DynamoDB ${usd(cost.dynamodb)}, SQS ${usd(cost.sqs)}, S3 ${usd(cost.s3)})`,
  );
}

/**
 * What a larger worker memory buys: the full sync's measured worker time and CPU, modelled at
 * each memory size (lambdaTimeAt), as time and GB-second dollars per million changes.
 */
function printMemoryModel(run: TickRun, changes: number): void {
  console.log(
    `  worker memory (full sync: ${Math.round(run.workerMs)} ms of invocations, ${Math.round(run.cpuMs)} ms CPU ` +
      `in this process, an upper bound; CPU share memory/${MB_PER_VCPU} MB):`,
  );
  for (const memoryMb of [256, 512, 1024, MB_PER_VCPU, 3008]) {
    const ms = lambdaTimeAt(memoryMb, run.workerMs, run.cpuMs);
    const gbSeconds = lambdaCost(0, ms, memoryMb).duration;
    console.log(
      `    ${String(memoryMb).padStart(5)} MB: ${(ms / 1000).toFixed(1).padStart(6)} s of invocations, ` +
        `GB-seconds ${usd((gbSeconds / changes) * 1e6)} per million changes`,
    );
  }
}

const simulator = await startSimulatorProcess({
  seed: 11,
  mailboxes: options.mailboxes,
  foldersPerMailbox: options.folders,
  itemsPerMailbox: options.items,
  latencyMs: options.latencyMs,
  username: 'bench',
  password: 'bench-password',
});
/**
 * A write bills the whole row (the larger of before and after), so the idle write's cost hangs on
 * the cursor row's size. The simulator's SyncStates are short; real ones are longer (an Exchange
 * Online SyncFolderItems state with no changes is 457 bytes, NOTES.md of ../shared/fixtures/ews-real).
 */
async function printRowSizes(dynamodb: DynamoDBClient, table: string): Promise<void> {
  const sizes: Array<{ row: number; state: number }> = [];
  for await (const page of paginateScan({ client: dynamodb }, { TableName: table, ConsistentRead: true }))
    for (const item of page.Items ?? [])
      if (item.sk?.S !== HIERARCHY_CURSOR_ID)
        sizes.push({
          row: itemBytes(item),
          state: item.syncState ? itemBytes({ syncState: item.syncState }) : 0,
        });
  if (sizes.length === 0) return;
  sizes.sort((a, b) => a.row - b.row);
  const median = sizes[Math.floor(sizes.length / 2)]!;
  const withRealState =
    median.row - median.state + itemBytes({ syncState: { S: 'x'.repeat(REAL_SYNC_STATE_BYTES) } });
  console.log(
    `  folder cursor rows: median ${median.row} bytes (SyncState ${median.state}), largest ${sizes.at(-1)!.row}: ` +
      `${writeUnits(median.row)} write unit(s) a write; with a ${REAL_SYNC_STATE_BYTES}-byte SyncState as Exchange ` +
      `Online returns, ${withRealState} bytes: ${writeUnits(withRealState)}`,
  );
}

const aws = await startLocalAws();
const containers: Array<{ destroy(): void }> = [];
try {
  console.log(
    `bench:cost  source ${options.source}, ${options.mailboxes} mailbox(es) x ${options.items} items, ` +
      `${options.folders} custom folders each, server latency ${options.latencyMs} ms, tick ${options.tickMinutes} min, ` +
      `interval ${options.intervalMinutes} min; ` +
      `prices ${PRICES.asOf}; load ${loadAverage()}`,
  );
  const resources = await createResources(aws.clients, {
    prefix: `bench-cost-${Date.now()}`,
    visibilityTimeoutSeconds: 30,
  });
  const handlers = await loadHandlers();
  const env = localHandlerEnvironment(resources, aws.endpoints, { leaseMs: 60_000 });
  // Interval 0: every folder is due at every tick (phases 1 and 2); the configured interval: none is (phase 3).
  const build = (intervalMinutes: number) => {
    const container = handlers.createLocalContainer(
      handlers.readHandlerEnv({ ...env, [ENV.syncIntervalMinutes]: String(intervalMinutes) }),
      standInSeams(aws.endpoints, simulatorCredentials(simulator)),
    );
    containers.push(container);
    return container;
  };
  const due = build(0);
  const mailboxes = simulatorMailboxes(simulator, {
    pageSize: options.pageSize,
    maxConcurrentSyncs: 4,
    source: options.source,
  });
  await Promise.all(mailboxes.map((m) => due.deps.registry.put(m)));

  let changes = 0;
  const phase = async (
    container: typeof due,
  ): Promise<{ run: TickRun; counts: Map<string, CommandCount> }> => {
    counter.reset();
    const run = await tickUntilQuiet(aws, resources.queueUrl, handlers, container, (outcome) => {
      if (outcome.type !== 'fanout') changes += outcome.changes.written;
    });
    return { run, counts: counter.snapshot() };
  };
  const full = await phase(due);
  const fullChanges = changes;
  const idle = await phase(due);
  const idleChanges = changes - fullChanges;
  const quiet = await phase(build(options.intervalMinutes));

  const verified = summarize(await compareMirror(due.deps, simulator.sim, mailboxes)).verified;
  const cursors = (
    await Promise.all(mailboxes.map((m) => due.deps.cursors.listByMailbox(m.mailboxId)))
  ).flat();
  const folders = cursors.filter((c) => c.folderId !== HIERARCHY_CURSOR_ID).length;

  printCounts(
    `1. full sync: ${fullChanges} changes, ${folders} folders, verified ${verified}`,
    full.counts,
    folders,
    'folder',
  );
  printCounts(`2. idle tick, every folder due (${idleChanges} changes)`, idle.counts, folders, 'folder');
  printCounts('3. idle tick, nothing due', quiet.counts, folders, 'folder');

  const ticks = MINUTES_PER_MONTH / options.tickMinutes;
  const syncs = MINUTES_PER_MONTH / options.intervalMinutes;
  const lambda = (run: TickRun) => lambdaCost(run.invocations + 1, run.workerMs, options.workerMemoryMb);
  const perFolderMonth = (f: (p: typeof idle) => number) =>
    (f(idle) * syncs + f(quiet) * (ticks - syncs)) / folders;
  const idleRequests = perFolderMonth((p) => costOf(p.counts).requests);
  const idleLambdaRequests = perFolderMonth((p) => lambda(p.run).requests);
  const idleLambdaDuration = perFolderMonth((p) => lambda(p.run).duration);
  const perMillion = (costOf(full.counts).requests / fullChanges) * 1e6;
  const perMillionLambda = (lambda(full.run).requests / fullChanges) * 1e6;
  console.log(`cost model (${syncs} syncs and ${ticks} ticks a month; prices ${PRICES.asOf})`);
  console.log(
    `  per idle folder-month: ${usd(idleRequests)} in AWS requests (target <= $0.003); Lambda requests ` +
      `${usd(idleLambdaRequests)} more, GB-seconds at this machine's wall time <= ${usd(idleLambdaDuration)}`,
  );
  console.log(
    `  per million changes:   ${usd(perMillion)} in AWS requests; Lambda requests ${usd(perMillionLambda)} more`,
  );
  console.log(
    `  per mailbox of ${folders / options.mailboxes} folders, idle: ${usd(idleRequests * (folders / options.mailboxes))} a month in requests`,
  );
  console.log(
    '  not included: the event source long-polling an empty queue (about 5 pollers x 3 receives a minute, ' +
      `${usd(5 * 3 * MINUTES_PER_MONTH * PRICES.sqsRequest)} a month per deployment), CloudWatch, Secrets Manager, data transfer`,
  );
  await printRowSizes(aws.clients.dynamodb, resources.cursorTable);
  printMemoryModel(full.run, fullChanges);
  console.log(
    `  Lambda GB-seconds use this machine's wall time (${Math.round(idle.run.workerMs)} ms for the idle tick's ` +
      `${idle.run.invocations} invocations): an upper bound on a loaded machine; load ${loadAverage()}`,
  );
} finally {
  for (const container of containers) container.destroy();
  await Promise.allSettled([simulator.close(), aws.stop()]);
}
