// npm run bench:sync: a full sync of a simulated organisation (default 50,000 items) through the
// real handlers, SQS emulator and EWS client, with the simulator (in its own process, as a real
// server is another machine) answering every call after a fixed latency. Reports changes/s, pages/s and sync efficiency: the least possible time (latency
// x pages / per-mailbox concurrency, along the critical path) divided by the measured time. The
// baseline, in the same script: the same folders synced by a plain ews-javascript-api loop, one
// folder after another, the way its users write it.
//
// Default organisation: one mailbox of 50,000 items, the case where the server's per-mailbox
// limit is the bottleneck and the budget is meaningful. With many mailboxes (`--mailboxes 10`)
// the least possible time shrinks tenfold and this 2-core machine, which also runs the simulator
// and the SQS emulator in-process, becomes the limit instead.
//
// Stores: by default cursors, registry and mirror are in memory (the core's reference
// implementations, with the same fence and write rules as the DynamoDB adapters), because
// DynamoDB Local spends several ms of CPU per write on this 2-core machine and would measure
// itself, not the engine. `--store dynamodb-local` runs on DynamoDB Local anyway.
import { parseArgs } from 'node:util';
import ews from 'ews-javascript-api';
import {
  compareMirror,
  setSimulatorCredentials,
  loadHandlers,
  localHandlerEnvironment,
  simulatorMailboxes,
} from '../cli/local/pipeline.js';
import { waitForQuiet } from '../cli/local/quiescence.js';
import { summarize } from '../cli/local/verify.js';
import { HIERARCHY_CURSOR_ID, type JobOutcome, type Mailbox } from '../lib/core/index.js';
import { InMemoryCursorStore } from '../lib/core/testing/in-memory-cursor-store.js';
import { InMemoryItemMirror } from '../lib/core/testing/in-memory-item-mirror.js';
import { InMemoryMailboxRegistry } from '../lib/core/testing/in-memory-registry.js';
import {
  createLambdaContext,
  createResources,
  LambdaSqsPoller,
  LOCAL_REGION,
  type LocalAws,
  startLocalAws,
} from '../local/index.js';
import { type SimulatorProcess, startSimulatorProcess } from './support/sync-simulator-process.js';

const { values: args } = parseArgs({
  options: {
    mailboxes: { type: 'string', default: '1' },
    items: { type: 'string', default: '50000' },
    'folders-per-mailbox': { type: 'string', default: '10' },
    'latency-ms': { type: 'string', default: '100' },
    'page-size': { type: 'string', default: '512' },
    concurrency: { type: 'string', default: '4' },
    runs: { type: 'string', default: '3' },
    store: { type: 'string', default: 'memory' },
    'skip-baseline': { type: 'boolean', default: false },
  },
});
const mailboxCount = Number(args.mailboxes);
const items = Number(args.items);
const latencyMs = Number(args['latency-ms']);
const pageSize = Number(args['page-size']);
const concurrency = Number(args.concurrency);
const runs = Number(args.runs);
const store = args.store as 'memory' | 'dynamodb-local';

process.env.AWS_REGION = LOCAL_REGION;
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const seconds = (ms: number) => (ms / 1000).toFixed(2);

interface RunResult {
  durationMs: number;
  pages: number;
  changes: number;
  leastPossibleMs: number;
  efficiency: number;
  verified: boolean;
  folders: Array<{ mailbox: Mailbox; folderIds: string[] }>;
}

/** Least possible time of one mailbox: its hierarchy page, then its folder pages C at a time. */
function leastPossibleMs(pagesByFolder: Map<string, number>, hierarchyPages: number): number {
  const folderPages = [...pagesByFolder.values()];
  const total = folderPages.reduce((a, b) => a + b, 0);
  const longestChain = Math.max(0, ...folderPages);
  return latencyMs * (hierarchyPages + Math.max(total / concurrency, longestChain));
}

async function syncOnce(simulator: SimulatorProcess, aws: LocalAws, run: number): Promise<RunResult> {
  const resources = await createResources(aws.clients, {
    prefix: `bench-sync-${run}-${Date.now()}`,
    visibilityTimeoutSeconds: 30,
  });
  const { createContainer, readHandlerEnv, createWorkerHandler, createSchedulerHandler } =
    await loadHandlers();
  const container = createContainer(
    readHandlerEnv(localHandlerEnvironment(resources, aws.endpoints, { leaseMs: 60_000 })),
  );
  if (store === 'memory') {
    container.deps = {
      ...container.deps,
      registry: new InMemoryMailboxRegistry(),
      cursors: new InMemoryCursorStore(),
      mirror: new InMemoryItemMirror(),
    };
  }
  setSimulatorCredentials(container.localCredentials, simulator);
  const mailboxes = simulatorMailboxes(simulator, { pageSize, maxConcurrentSyncs: concurrency });
  await Promise.all(mailboxes.map((m) => container.deps.registry.put(m)));

  const pages = new Map<string, Map<string, number>>();
  const hierarchyPages = new Map<string, number>();
  let changes = 0;
  let lastOutcomeAt = 0;
  const pageTimes = new Map<string, number[]>();
  const onOutcome = (outcome: JobOutcome) => {
    lastOutcomeAt = Date.now();
    if (outcome.type === 'folder' && outcome.pages > 0) {
      const times = pageTimes.get(outcome.folderId) ?? [];
      times.push(lastOutcomeAt);
      pageTimes.set(outcome.folderId, times);
    }
    if (outcome.type === 'fanout' || outcome.pages === 0) return;
    changes += outcome.changes.written;
    if (outcome.type === 'hierarchy') {
      hierarchyPages.set(outcome.mailboxId, (hierarchyPages.get(outcome.mailboxId) ?? 0) + 1);
      return;
    }
    const byFolder = pages.get(outcome.mailboxId) ?? new Map<string, number>();
    byFolder.set(outcome.folderId, (byFolder.get(outcome.folderId) ?? 0) + 1);
    pages.set(outcome.mailboxId, byFolder);
  };
  const poller = new LambdaSqsPoller({
    client: aws.clients.sqs,
    queueUrl: resources.queueUrl,
    handler: createWorkerHandler(container, { onOutcome }),
    batchSize: 5,
    maxConcurrency: 16,
    timeoutMs: 60_000,
  });
  await poller.start();
  const started = Date.now();
  await createSchedulerHandler(container)(
    {},
    createLambdaContext({
      functionName: 'bench-scheduler',
      timeoutMs: 60_000,
      memoryMb: 256,
      region: LOCAL_REGION,
    }),
  );
  await waitForQuiet(
    { sqs: aws.clients.sqs, queueUrl: resources.queueUrl, inFlight: () => poller.stats().inFlight },
    { timeoutMs: 30 * 60_000, intervalMs: 50 },
  );
  const durationMs = lastOutcomeAt - started;
  await poller.stop();

  const verification = summarize(await compareMirror(container.deps, simulator.sim, mailboxes));
  const least = Math.max(
    ...mailboxes.map((m) =>
      leastPossibleMs(pages.get(m.mailboxId) ?? new Map(), hierarchyPages.get(m.mailboxId) ?? 0),
    ),
  );
  const totalPages =
    [...pages.values()].reduce(
      (sum, byFolder) => sum + [...byFolder.values()].reduce((a, b) => a + b, 0),
      0,
    ) + [...hierarchyPages.values()].reduce((a, b) => a + b, 0);
  const folders = await Promise.all(
    mailboxes.map(async (mailbox) => ({
      mailbox,
      folderIds: (await container.deps.cursors.listByMailbox(mailbox.mailboxId))
        .filter((c) => c.folderId !== HIERARCHY_CURSOR_ID && c.status === 'idle')
        .map((c) => c.folderId),
    })),
  );
  container.destroy();
  // Diagnostic: time between two pages of the longest chain (latency + our per-hop share).
  const chain = [...pageTimes.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  const hops = chain.slice(1).map((t, i) => t - chain[i]!);
  console.log(
    `    longest chain: ${chain.length} pages, first page done ${(chain[0] ?? started) - started} ms after the tick, ` +
      `median ${hops.length ? median(hops) : 0} ms between pages`,
  );
  return {
    durationMs,
    pages: totalPages,
    changes,
    leastPossibleMs: least,
    efficiency: least / durationMs,
    verified: verification.verified,
    folders,
  };
}

/** The baseline: ews-javascript-api, one SyncFolderItems call after another, folder by folder. */
async function ewsJavascriptApiLoop(
  simulator: SimulatorProcess,
  folders: RunResult['folders'],
): Promise<{ durationMs: number; pages: number; changes: number }> {
  const propertySet = new ews.PropertySet(ews.BasePropertySet.IdOnly, [
    ews.ItemSchema.Subject,
    ews.ItemSchema.DateTimeReceived,
    ews.ItemSchema.Size,
    ews.ItemSchema.ItemClass,
    ews.EmailMessageSchema.IsRead,
  ]);
  let pages = 0;
  let changes = 0;
  const started = Date.now();
  for (const { mailbox, folderIds } of folders) {
    const service = new ews.ExchangeService(ews.ExchangeVersion.Exchange2013_SP1);
    service.Url = new ews.Uri(simulator.url);
    service.Credentials = new ews.WebCredentials(simulator.username, simulator.password);
    service.ImpersonatedUserId = new ews.ImpersonatedUserId(
      ews.ConnectingIdType.SmtpAddress,
      mailbox.source.kind === 'ews' ? mailbox.source.smtpAddress : mailbox.mailboxId,
    );
    for (const folderId of folderIds) {
      let syncState: string | null = null;
      let more = true;
      while (more) {
        const result: ews.ChangeCollection<ews.ItemChange> = await service.SyncFolderItems(
          new ews.FolderId(folderId),
          propertySet,
          null as unknown as ews.ItemId[],
          pageSize,
          ews.SyncFolderItemsScope.NormalItems,
          syncState as string,
        );
        pages++;
        changes += result.Count;
        syncState = result.SyncState;
        more = result.MoreChangesAvailable;
      }
    }
  }
  return { durationMs: Date.now() - started, pages, changes };
}

const simulator = await startSimulatorProcess({
  seed: 7,
  mailboxes: mailboxCount,
  foldersPerMailbox: Number(args['folders-per-mailbox']),
  itemsPerMailbox: Math.ceil(items / mailboxCount),
  latencyMs,
  username: 'bench',
  password: 'bench-password',
});
const aws = await startLocalAws();
try {
  console.log(
    `bench:sync  ${items} items in ${mailboxCount} mailboxes, latency ${latencyMs} ms, page size ${pageSize}, ` +
      `${concurrency} calls per mailbox, store: ${store}`,
  );
  const results: RunResult[] = [];
  for (let run = 1; run <= runs; run++) {
    const result: RunResult = await syncOnce(simulator, aws, run);
    results.push(result);
    console.log(
      `  exchange-sync run ${run}: ${seconds(result.durationMs)} s, ${result.pages} pages, ${result.changes} changes, ` +
        `least possible ${seconds(result.leastPossibleMs)} s, efficiency ${result.efficiency.toFixed(2)}, ` +
        `verified ${result.verified}`,
    );
    if (!result.verified) throw new Error('the mirror does not equal the server after the benchmark sync');
  }
  const ours = median(results.map((r) => r.durationMs));
  const mid = results.find((r) => r.durationMs === ours)!;
  console.log(
    `exchange-sync (median of ${runs}): ${seconds(ours)} s | ${Math.round(mid.changes / (ours / 1000))} changes/s | ` +
      `${(mid.pages / (ours / 1000)).toFixed(1)} pages/s | sync efficiency ${median(results.map((r) => r.efficiency)).toFixed(2)} (target >= 0.8)`,
  );
  if (!args['skip-baseline']) {
    const baseline = await ewsJavascriptApiLoop(simulator, mid.folders);
    console.log(
      `ews-javascript-api loop (1 run): ${seconds(baseline.durationMs)} s | ${baseline.pages} pages | ` +
        `${Math.round(baseline.changes / (baseline.durationMs / 1000))} changes/s`,
    );
    console.log(
      `ratio: exchange-sync is ${(baseline.durationMs / ours).toFixed(1)}x faster than the plain loop`,
    );
  }
} finally {
  await Promise.allSettled([simulator.close(), aws.stop()]);
}
