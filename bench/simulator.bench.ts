// Simulator speed: one SyncFolderItems page of 512 changes, answered in-process (request parse,
// state decode, journal walk, XML build, state encode), and once over loopback HTTP. Budget: well
// under 10 ms for IdOnly. Baseline in the same run: JSON.stringify of the same 512 ids and
// ChangeKeys, the floor of any serialisation.
import { startSimulator } from '../simulator/server.js';

const SMTP = 'user1@contoso.test';
const run = await startSimulator({ seed: 1, mailboxes: 1, foldersPerMailbox: 0, itemsPerMailbox: 25_000 });
const sim = run.sim;
const auth = `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`;

function request(shape: string, syncState?: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><s:Header><t:RequestServerVersion Version="Exchange2013_SP1"/><t:ExchangeImpersonation><t:ConnectingSID><t:SmtpAddress>${SMTP}</t:SmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></s:Header><s:Body><m:SyncFolderItems><m:ItemShape><t:BaseShape>${shape}</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="inbox"/></m:SyncFolderId>${syncState ? `<m:SyncState>${syncState}</m:SyncState>` : ''}<m:MaxChangesReturned>512</m:MaxChangesReturned></m:SyncFolderItems></s:Body></s:Envelope>`;
}

async function page(xml: string): Promise<string> {
  const answer = await sim.handleEws({ body: xml, headers: { authorization: auth } });
  if (answer.kind !== 'response' || answer.status !== 200) throw new Error('unexpected answer');
  return answer.body;
}

const stateOf = (body: string) => /<m:SyncState>([^<]*)<\/m:SyncState>/.exec(body)![1]!;

async function median(label: string, runs: number, fn: () => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < 5; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const m = times[Math.floor(times.length / 2)]!;
  console.log(`${label.padEnd(58)} median ${m.toFixed(3)} ms`);
  return m;
}

const inboxSize = sim.items(SMTP, 'inbox').length;
console.log(`inbox holds ${inboxSize} items`);

// A state 20 pages deep into the initial sync: the walk must jump over what was delivered.
let deep: string | undefined;
for (let i = 0; i < 20; i++) deep = stateOf(await page(request('IdOnly', deep)));

const ids = sim
  .items(SMTP, 'inbox')
  .slice(0, 512)
  .map((i) => ({ id: i.id, changeKey: i.changeKey }));
const baseline = await median('baseline: JSON.stringify of 512 ids + ChangeKeys', 200, () =>
  JSON.stringify(ids),
);
const first = await median('IdOnly, first page of the initial sync', 100, () => page(request('IdOnly')));
const deeper = await median('IdOnly, page 21 of the initial sync', 100, () => page(request('IdOnly', deep)));
const full = await median('AllProperties, first page of the initial sync', 50, () =>
  page(request('AllProperties')),
);

// Incremental: 512+ changes since a caught-up state.
let caughtUp: string | undefined;
for (;;) {
  const body = await page(request('IdOnly', caughtUp));
  caughtUp = stateOf(body);
  if (body.includes('<m:IncludesLastItemInRange>true')) break;
}
sim.mutate({
  count: 3000,
  seed: 9,
  weights: { createFolder: 0, renameFolder: 0, moveFolder: 0, deleteFolder: 0 },
});
const incremental = await median('IdOnly, 512 incremental changes after 3000 mutations', 100, () =>
  page(request('IdOnly', caughtUp)),
);
console.log(`caught-up SyncState: ${caughtUp!.length} base64 characters for ${inboxSize} items`);
console.log(
  `ratios to baseline: first ${(first / baseline).toFixed(1)}x, deep ${(deeper / baseline).toFixed(1)}x, incremental ${(incremental / baseline).toFixed(1)}x, AllProperties ${(full / baseline).toFixed(1)}x`,
);
console.log(
  `IdOnly budget (10 ms) used: ${((Math.max(first, deeper, incremental) / 10) * 100).toFixed(0)} %`,
);

const overHttp = await median('IdOnly, first page over loopback HTTP (fetch + body)', 100, async () => {
  const response = await fetch(run.url, {
    method: 'POST',
    headers: { Authorization: auth, 'Content-Type': 'text/xml; charset=utf-8' },
    body: request('IdOnly'),
  });
  return response.text();
});
console.log(`loopback HTTP / in-process: ${(overHttp / first).toFixed(1)}x`);
await run.close();
