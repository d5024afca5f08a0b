// npm run bench:sync [-- --help]: a full sync of a simulated organisation (default one mailbox of
// 50,000 items) through the real handlers, the SQS emulator and the EWS or Graph mail source, with
// the simulator in its own process (a real server is another machine) answering every call after
// a fixed latency. Sync efficiency is the least possible time (server latency x pages / the
// per-mailbox concurrency, along the longest chain) divided by the measured time.
//
// Stores: in memory by default (the core's reference implementations, with the DynamoDB adapters'
// fence and write rules), each call delayed by the round trips its DynamoDB adapter makes in AWS
// (--store-latency-ms, default 5 ms per call), and every SQS send delayed by --queue-latency-ms
// (default 15 ms); `0` for both measures the engine with free stores. DynamoDB Local spends
// several ms of CPU per write on this 2-core machine and would measure itself; `--store
// dynamodb-local` runs on it anyway (without injected store latency).
//
// The baseline runs in the same script, after each engine run: what a careful user writes
// (ews-javascript-api for EWS, @microsoft/microsoft-graph-client delta for Graph), syncing as many
// folders at once as the engine may (the per-mailbox slot cap) and writing each page to a store
// with the same injected round trips. Every figure is printed as min, median and max over the
// runs, with the load average, because this machine is shared.
import { Command, InvalidArgumentError, Option } from 'commander';
import { SETTINGS } from '../lib/settings/settings.js';
import { LOCAL_REGION, startLocalAws } from '../local/index.js';
import type { StatsSnapshot } from '../simulator/stats.js';
import { BaselineStore, type BaselineTotals } from './support/baseline-store.js';
import { formatDistribution, loadAverage } from './support/distribution.js';
import { ewsJavascriptApiLoop } from './support/ews-baseline.js';
import { graphClientDeltaLoop } from './support/graph-baseline.js';
import { AWS_ROUND_TRIP_MS } from './support/latency-ports.js';
import { type SyncRunResult, syncOnce } from './support/sync-run.js';
import { type SimulatorProcess, startSimulatorProcess } from './support/sync-simulator-process.js';

const int = (min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
  return n;
};

const options = new Command('bench:sync')
  .description('Full sync through the engine vs a careful user loop, side by side (ratios, min/median/max)')
  .addOption(new Option('--source <source>', 'mail source').choices(['ews', 'graph']).default('ews'))
  .option('--mailboxes <n>', 'mailboxes', int(1), 1)
  .option('--items <n>', 'items in the organisation', int(1), 50_000)
  .option(
    '--folders <n>',
    'custom folders per mailbox (besides the well-known ones), e.g. 20, 110, 310',
    int(0),
    10,
  )
  .option('--latency-ms <ms>', 'server latency per call', int(0), 100)
  .option(
    '--store-latency-ms <ms>',
    'injected DynamoDB round trip (AWS in-region: ~5)',
    int(0),
    AWS_ROUND_TRIP_MS.store,
  )
  .option(
    '--queue-latency-ms <ms>',
    'injected SQS send round trip (AWS in-region: ~15)',
    int(0),
    AWS_ROUND_TRIP_MS.queue,
  )
  .option('--page-size <n>', 'items per page (EWS MaxChangesReturned, Graph odata.maxpagesize)', int(1), 512)
  .option('--concurrency <n>', 'calls per mailbox: the slot cap (Graph allows at most 4)', int(1), 4)
  .option(
    '--pages-per-invocation <n>',
    'pages of a chain one worker invocation runs in a row (PAGES_PER_INVOCATION)',
    int(1),
    SETTINGS.pagesPerInvocation.default,
  )
  .option('--runs <n>', 'runs of the engine and of the baseline', int(1), 3)
  .addOption(
    new Option('--store <store>', 'where cursors, registry and mirror live')
      .choices(['memory', 'dynamodb-local'])
      .default('memory'),
  )
  .option('--skip-baseline', 'run the engine only')
  .parse(['node', 'bench:sync', ...process.argv.slice(2)])
  .opts<{
    source: 'ews' | 'graph';
    mailboxes: number;
    items: number;
    folders: number;
    latencyMs: number;
    storeLatencyMs: number;
    queueLatencyMs: number;
    pageSize: number;
    concurrency: number;
    pagesPerInvocation: number;
    runs: number;
    store: 'memory' | 'dynamodb-local';
    skipBaseline?: boolean;
  }>();
if (options.source === 'graph' && options.concurrency > 4)
  throw new InvalidArgumentError(
    'Graph allows at most 4 concurrent requests per mailbox: --concurrency <= 4',
  );

process.env.AWS_REGION = LOCAL_REGION;
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const seconds = (ms: number) => (ms / 1000).toFixed(2);

interface BaselineResult extends BaselineTotals {
  durationMs: number;
  wrongFolders: number;
}

/** The careful user's loop over the folders the engine synced, and which folders it got wrong. */
async function baselineOnce(simulator: SimulatorProcess, engine: SyncRunResult): Promise<BaselineResult> {
  const store = new BaselineStore(options.storeLatencyMs);
  const loop = { pageSize: options.pageSize, concurrency: options.concurrency, store };
  const truth = new Map<string, string[]>();
  for (const { mailbox, folderIds } of engine.folders) {
    const smtp = mailbox.mailboxId;
    for (const folderId of folderIds) {
      const ids =
        options.source === 'graph'
          ? (simulator.sim.graphMailboxTruth!(smtp).items[folderId] ?? []).map((i) => i.immutableId)
          : simulator.sim.items(groundSmtp(simulator, smtp), folderId).map((i) => i.id);
      truth.set(`${smtp}|${folderId}`, ids);
    }
  }
  const started = Date.now();
  const targets = engine.folders.map(({ mailbox, folderIds }) => ({ smtp: mailbox.mailboxId, folderIds }));
  if (options.source === 'graph') await graphClientDeltaLoop(simulator.graph, targets, loop);
  else {
    const { url, username, password } = simulator;
    await ewsJavascriptApiLoop(
      targets.map((t) => ({ ...t, url, username, password })),
      loop,
    );
  }
  const durationMs = Date.now() - started;
  return { durationMs, ...store.totals, wrongFolders: store.mismatches(truth) };
}

/** Calls the server refused as over its limits (EWS ErrorServerBusy and budget, Graph 429). */
function throttles(stats: StatsSnapshot): number {
  return stats.throttled.responseMessage + stats.throttled.budget + stats.graphThrottled;
}

/** The simulator's spelling of a mailbox id (the registry lower-cases it). */
function groundSmtp(simulator: SimulatorProcess, mailboxId: string): string {
  return simulator.sim.groundTruth().find((m) => m.smtp.toLowerCase() === mailboxId)?.smtp ?? mailboxId;
}

const simulator = await startSimulatorProcess({
  seed: 7,
  mailboxes: options.mailboxes,
  foldersPerMailbox: options.folders,
  itemsPerMailbox: Math.ceil(options.items / options.mailboxes),
  latencyMs: options.latencyMs,
  username: 'bench',
  password: 'bench-password',
});
const aws = await startLocalAws();
try {
  console.log(
    `bench:sync  source ${options.source}, ${options.items} items in ${options.mailboxes} mailbox(es), ` +
      `${options.folders} custom folders each, server latency ${options.latencyMs} ms, store ${options.store} ` +
      `+${options.storeLatencyMs} ms/call, queue +${options.queueLatencyMs} ms/send, page size ${options.pageSize}, ` +
      `${options.concurrency} calls per mailbox, ${options.pagesPerInvocation} page(s) per invocation; load ${loadAverage()}`,
  );
  const engine: SyncRunResult[] = [];
  const baseline: BaselineResult[] = [];
  for (let run = 1; run <= options.runs; run++) {
    await simulator.takeStats();
    const result = await syncOnce(simulator, aws, run, options);
    engine.push(result);
    const served = await simulator.takeStats();
    console.log(
      `  run ${run} engine:   ${seconds(result.durationMs)} s, ${result.pages} pages (${result.folders[0]?.folderIds.length} folders), ` +
        `${result.changes} changes, least possible ${seconds(result.leastPossibleMs)} s, efficiency ` +
        `${result.efficiency.toFixed(2)}, ${result.noSlot} no-slot re-queues, longest chain ${result.longestChain} pages ` +
        `at ${result.chainHopMs} ms/page (start ${result.phases.startMs} ms, chain ${result.phases.chainMs} ms, ` +
        `tail ${result.phases.tailMs} ms), server throttled ${throttles(served)}, verified ${result.verified}; ` +
        `load ${loadAverage()}`,
    );
    if (!result.verified) throw new Error('the mirror does not equal the server after the benchmark sync');
    if (options.skipBaseline) continue;
    const loop = await baselineOnce(simulator, result);
    baseline.push(loop);
    console.log(
      `  run ${run} baseline: ${seconds(loop.durationMs)} s, ${loop.pages} pages, ${loop.changes} changes, efficiency ` +
        `${(result.leastPossibleMs / loop.durationMs).toFixed(2)}, folders wrong ${loop.wrongFolders}, ${loop.retries} retries, ` +
        `server throttled ${throttles(await simulator.takeStats())}, ` +
        `speed-up ${(loop.durationMs / result.durationMs).toFixed(2)}x; load ${loadAverage()}`,
    );
  }
  const baselineName =
    options.source === 'graph' ? '@microsoft/microsoft-graph-client delta loop' : 'ews-javascript-api loop';
  console.log(`summary over ${options.runs} runs: median (min–max)`);
  console.log(
    `  engine time          ${formatDistribution(
      engine.map((r) => r.durationMs / 1000),
      2,
      ' s',
    )}`,
  );
  console.log(
    `  engine changes/s     ${formatDistribution(
      engine.map((r) => r.changes / (r.durationMs / 1000)),
      0,
    )}`,
  );
  console.log(
    `  engine efficiency    ${formatDistribution(engine.map((r) => r.efficiency))}  (target >= 0.8)`,
  );
  console.log(
    `  no-slot re-queues    ${formatDistribution(
      engine.map((r) => r.noSlot),
      0,
    )}`,
  );
  if (baseline.length > 0) {
    console.log(
      `  ${baselineName}: ${formatDistribution(
        baseline.map((r) => r.durationMs / 1000),
        2,
        ' s',
      )}`,
    );
    console.log(
      `  baseline efficiency  ${formatDistribution(baseline.map((r, i) => engine[i]!.leastPossibleMs / r.durationMs))}`,
    );
    console.log(
      `  speed-up             ${formatDistribution(baseline.map((r, i) => r.durationMs / engine[i]!.durationMs))}x ` +
        '(baseline time / engine time, paired per run; > 1: the engine is faster)',
    );
  }
  console.log(`  load average (1 5 15 min) at the end: ${loadAverage()}`);
} finally {
  await Promise.allSettled([simulator.close(), aws.stop()]);
}
