// Child process of bench/parse.bench.ts: memory of fetching and parsing one page with our client,
// measured alone so that nothing else (ews-javascript-api) inflates the process's peak RSS.
// Prints one JSON line.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BasicAuthProvider } from '../../lib/ews/auth/basic.js';
import { EwsClient } from '../../lib/ews/client.js';
import { benchPages } from './parse-pages.js';
import { startPageServer } from './parse-server.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

const page = benchPages()[Number(process.argv[2] ?? 1)]!;
const server = await startPageServer();
server.serve(page.xml);
const client = new EwsClient({
  endpoint: server.url,
  auth: new BasicAuthProvider('u', 'p'),
  allowInsecureHttp: true,
});
const call = () =>
  client.syncFolderItems(
    { folder: { distinguishedId: 'inbox' }, shape: { baseShape: 'IdOnly' }, maxChangesReturned: 512 },
    { mailbox: 'bench@example.com' },
  );
await call(); // warm: modules, JIT, connection
gc();
const before = process.memoryUsage();
let peakHeap = before.heapUsed;
const sampler = setInterval(() => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}, 1);
const result = await call();
clearInterval(sampler);
const after = process.memoryUsage();
peakHeap = Math.max(peakHeap, after.heapUsed);
gc();
const retained = process.memoryUsage().heapUsed - before.heapUsed;
console.log(
  JSON.stringify({
    changes: result.changes.length,
    pageMb: mb(Buffer.byteLength(page.xml)),
    rssBeforeMb: mb(before.rss),
    peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
    heapGrowthMb: mb(peakHeap - before.heapUsed),
    retainedMb: mb(retained),
  }),
);
await server.close();
