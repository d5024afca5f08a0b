// npm run bench:parse — client cost of one 512-change SyncFolderItems page: our fetch + parser
// against ews-javascript-api, on the same bytes from the same loopback server, interleaved.
// Budget (DESIGN §5): >= 4x faster on the IdOnly page, >= 3x on the ~30-property page.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import ews from 'ews-javascript-api';
import { BasicAuthProvider } from '../lib/ews/auth/basic.js';
import { EwsClient } from '../lib/ews/client.js';
import { parseSyncFolderItemsResponse } from '../lib/ews/parse-sync-folder-items.js';
import { benchPages } from './support/parse-pages.js';
import { startPageServer } from './support/parse-server.js';

const WARMUP = Number(process.env.BENCH_WARMUP ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 25);
const TARGETS = [4, 3];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const server = await startPageServer();
const ours = new EwsClient({
  endpoint: server.url,
  auth: new BasicAuthProvider('u', 'p'),
  allowInsecureHttp: true,
});
const theirs = new ews.ExchangeService(ews.ExchangeVersion.Exchange2013_SP1);
theirs.Credentials = new ews.WebCredentials('u', 'p');
theirs.Url = new ews.Uri(server.url);

// Both sides must deliver every change (id, change key, kind) to count.
let sink = 0;
async function runOurs(): Promise<void> {
  const page = await ours.syncFolderItems(
    { folder: { distinguishedId: 'inbox' }, shape: { baseShape: 'IdOnly' }, maxChangesReturned: 512 },
    { mailbox: 'bench@example.com' },
  );
  for (const change of page.changes) sink += change.itemId.length + (change.changeKey?.length ?? 0);
  if (page.changes.length !== 512) throw new Error('ours: wrong change count');
}
async function runTheirs(): Promise<void> {
  const changes = await theirs.SyncFolderItems(
    new ews.FolderId(ews.WellKnownFolderName.Inbox),
    ews.PropertySet.IdOnly,
    [],
    512,
    ews.SyncFolderItemsScope.NormalItems,
    null as unknown as string, // no SyncState: a first sync, as in our request
  );
  const list = changes.GetEnumerator();
  for (const change of list)
    sink += change.ItemId.UniqueId.length + change.ItemId.ChangeKey.length + change.ChangeType;
  if (list.length !== 512) throw new Error('ews-javascript-api: wrong change count');
}

interface Row {
  page: string;
  kb: number;
  ours: number;
  parseOnly: number;
  theirs: number;
  ratio: number;
  target: number;
}
const rows: Row[] = [];

for (const [index, page] of benchPages().entries()) {
  server.serve(page.xml);
  for (let i = 0; i < WARMUP; i++) {
    await runOurs();
    await runTheirs();
  }
  const oursMs: number[] = [];
  const theirsMs: number[] = [];
  const parseMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Interleaved so that drift (thermal, other processes) hits both sides alike.
    oursMs.push(await time(runOurs));
    theirsMs.push(await time(runTheirs));
    parseMs.push(await time(async () => parseSyncFolderItemsResponse(page.xml)));
  }
  const row = {
    page: page.name,
    kb: Math.round(Buffer.byteLength(page.xml) / 1024),
    ours: median(oursMs),
    parseOnly: median(parseMs),
    theirs: median(theirsMs),
    ratio: median(theirsMs) / median(oursMs),
    target: TARGETS[index]!,
  };
  rows.push(row);
}
await server.close();

// Bundled and run by plain Node, as the worker runs in Lambda: under tsx the process starts
// ~100 MB bigger, which says nothing about the worker.
const memoryScript = join(process.cwd(), 'node_modules', '.cache', 'exchange-sync-bench', 'parse-memory.mjs');
await build({
  entryPoints: [fileURLToPath(new URL('./support/parse-memory.ts', import.meta.url))],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: memoryScript,
  logLevel: 'error',
});
const memory = benchPages().map((_, index) =>
  JSON.parse(execFileSync(process.execPath, [memoryScript, String(index)], { encoding: 'utf8' })),
);

const ms = (value: number) => value.toFixed(2).padStart(8);
console.log(
  `\nSyncFolderItems page of 512 changes, median of ${RUNS} runs after ${WARMUP} warm-up runs (ms per page)\n`,
);
console.log(
  'page                     size KB   fetch+parse (ours)  parse only (ours)  ews-javascript-api   ratio  target',
);
for (const row of rows) {
  console.log(
    `${row.page.padEnd(24)} ${String(row.kb).padStart(7)}   ${ms(row.ours)}            ${ms(row.parseOnly)}           ${ms(row.theirs)}        ${row.ratio.toFixed(1).padStart(5)}x  >= ${row.target}x ${row.ratio >= row.target ? 'ok' : 'MISSED'}`,
  );
}
console.log('\nMemory of fetch + parse of one page with our client (separate process):');
for (const [index, m] of memory.entries()) {
  console.log(
    `${rows[index]!.page.padEnd(24)} peak RSS ${m.peakRssMb} MB (before the call ${m.rssBeforeMb} MB), heap growth during the call ${m.heapGrowthMb} MB, retained page ${m.retainedMb} MB`,
  );
}
if (sink === 0) console.log('(sink)');
