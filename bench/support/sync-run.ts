// One full sync through the real handlers, the SQS emulator and the mail source (EWS or Graph)
// against the simulator process, with the stores in memory (their round trips injected, see
// latency-ports.ts) or on DynamoDB Local. Reports time, pages, changes, the least possible time
// and whether the mirror equals the server afterwards.
import {
  compareMirror,
  loadHandlers,
  localHandlerEnvironment,
  type SimulatorSourceChoice,
  simulatorCredentials,
  simulatorMailboxes,
} from '../../cli/local/pipeline.js';
import { summarize } from '../../cli/local/verify.js';
import { HIERARCHY_CURSOR_ID, type JobOutcome, type Mailbox } from '../../lib/core/index.js';
import { InMemoryCursorStore } from '../../lib/core/testing/in-memory-cursor-store.js';
import { InMemoryItemMirror } from '../../lib/core/testing/in-memory-item-mirror.js';
import { InMemoryMailboxRegistry } from '../../lib/core/testing/in-memory-registry.js';
import { SETTINGS } from '../../lib/settings/settings.js';
import { createResources, type LocalAws, standInSeams } from '../../local/index.js';
import {
  cursorsWithLatency,
  mirrorWithLatency,
  queueWithLatency,
  registryWithLatency,
} from './latency-ports.js';
import type { SimulatorProcess } from './sync-simulator-process.js';
import { tickUntilQuiet } from './tick-until-quiet.js';

export interface SyncRunOptions {
  source: Exclude<SimulatorSourceChoice, 'mixed'>;
  store: 'memory' | 'dynamodb-local';
  pageSize: number;
  concurrency: number;
  /** Server latency per call: the unit of the least possible time. */
  latencyMs: number;
  storeLatencyMs: number;
  queueLatencyMs: number;
  /** Pages of a chain one worker invocation runs in a row (the PAGES_PER_INVOCATION setting). */
  pagesPerInvocation: number;
}

export interface SyncRunResult {
  durationMs: number;
  pages: number;
  changes: number;
  leastPossibleMs: number;
  efficiency: number;
  verified: boolean;
  /** Jobs re-sent because all of the mailbox's slots were busy. */
  noSlot: number;
  /** Median time between two pages of the longest chain (latency + our per-hop share). */
  chainHopMs: number;
  longestChain: number;
  /**
   * Where the time went, from the tick: until the longest chain's first page was done (the start:
   * tick, hierarchy, completion, the first page's hand-over), and from its last page to the end.
   */
  phases: { startMs: number; chainMs: number; tailMs: number };
  folders: Array<{ mailbox: Mailbox; folderIds: string[] }>;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Least possible time of one mailbox: its hierarchy pages, then its folder pages C at a time. */
export function leastPossibleMs(
  latencyMs: number,
  concurrency: number,
  folderPages: readonly number[],
  hierarchyPages: number,
): number {
  const total = folderPages.reduce((a, b) => a + b, 0);
  return latencyMs * (hierarchyPages + Math.max(total / concurrency, Math.max(0, ...folderPages)));
}

export async function syncOnce(
  simulator: SimulatorProcess,
  aws: LocalAws,
  runNumber: number,
  options: SyncRunOptions,
): Promise<SyncRunResult> {
  const resources = await createResources(aws.clients, {
    prefix: `bench-sync-${runNumber}-${Date.now()}`,
    visibilityTimeoutSeconds: 30,
  });
  const handlers = await loadHandlers();
  const container = handlers.createLocalContainer(
    handlers.readHandlerEnv({
      ...localHandlerEnvironment(resources, aws.endpoints, { leaseMs: 60_000 }),
      [SETTINGS.pagesPerInvocation.env]: String(options.pagesPerInvocation),
    }),
    standInSeams(aws.endpoints, simulatorCredentials(simulator)),
  );
  const { storeLatencyMs } = options;
  const stores =
    options.store === 'memory'
      ? {
          registry: registryWithLatency(new InMemoryMailboxRegistry(), storeLatencyMs),
          cursors: cursorsWithLatency(new InMemoryCursorStore(), storeLatencyMs),
          mirror: mirrorWithLatency(new InMemoryItemMirror(), storeLatencyMs),
        }
      : {};
  container.deps = {
    ...container.deps,
    ...stores,
    queue: queueWithLatency(container.deps.queue, options.queueLatencyMs),
  };
  const mailboxes = simulatorMailboxes(simulator, {
    pageSize: options.pageSize,
    maxConcurrentSyncs: options.concurrency,
    source: options.source,
  });
  await Promise.all(mailboxes.map((m) => container.deps.registry.put(m)));

  const pages = new Map<string, Map<string, number>>();
  const hierarchyPages = new Map<string, number>();
  const pageTimes = new Map<string, number[]>();
  let changes = 0;
  let noSlot = 0;
  const onOutcome = (outcome: JobOutcome) => {
    if (outcome.type === 'fanout') return;
    if (outcome.outcome === 'no-slot') noSlot++;
    if (outcome.pages === 0) return;
    changes += outcome.changes.written;
    if (outcome.type === 'hierarchy') {
      hierarchyPages.set(outcome.mailboxId, (hierarchyPages.get(outcome.mailboxId) ?? 0) + 1);
      return;
    }
    pageTimes.set(outcome.folderId, [...(pageTimes.get(outcome.folderId) ?? []), Date.now()]);
    const byFolder = pages.get(outcome.mailboxId) ?? new Map<string, number>();
    byFolder.set(outcome.folderId, (byFolder.get(outcome.folderId) ?? 0) + 1);
    pages.set(outcome.mailboxId, byFolder);
  };
  const run = await tickUntilQuiet(aws, resources.queueUrl, handlers, container, onOutcome);
  const durationMs = run.lastOutcomeAt - run.startedAt;

  const verification = summarize(await compareMirror(container.deps, simulator.sim, mailboxes));
  const least = Math.max(
    ...mailboxes.map((m) =>
      leastPossibleMs(
        options.latencyMs,
        options.concurrency,
        [...(pages.get(m.mailboxId)?.values() ?? [])],
        hierarchyPages.get(m.mailboxId) ?? 0,
      ),
    ),
  );
  const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
  const totalPages =
    sum([...pages.values()].map((byFolder) => sum(byFolder.values()))) + sum(hierarchyPages.values());
  const folders = await Promise.all(
    mailboxes.map(async (mailbox) => ({
      mailbox,
      folderIds: (await container.deps.cursors.listByMailbox(mailbox.mailboxId))
        .filter((c) => c.folderId !== HIERARCHY_CURSOR_ID && c.status === 'idle')
        .map((c) => c.folderId),
    })),
  );
  container.destroy();
  const chain = [...pageTimes.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  return {
    durationMs,
    pages: totalPages,
    changes,
    leastPossibleMs: least,
    efficiency: least / durationMs,
    verified: verification.verified,
    noSlot,
    chainHopMs: median(chain.slice(1).map((t, i) => t - chain[i]!)),
    longestChain: chain.length,
    phases: {
      startMs: (chain[0] ?? run.startedAt) - run.startedAt,
      chainMs: (chain.at(-1) ?? 0) - (chain[0] ?? 0),
      tailMs: run.lastOutcomeAt - (chain.at(-1) ?? run.lastOutcomeAt),
    },
    folders,
  };
}
