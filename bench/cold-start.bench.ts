// npm run bench:cold-start: the worker and scheduler bundled as the stack bundles them (esbuild,
// ESM, minified, AWS SDK external), then the time to import each bundle in a fresh Node process
// (module init: clients and adapters built once per container), median of several runs, against
// the same process importing an empty module. DESIGN.md budget: worker <= 500 KB, init <= 150 ms.
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ENV } from '../infra/resources.js';
import { ESM_REQUIRE_BANNER, EXTERNAL_MODULES } from '../infra/sync-function.js';

const RUNS = 7;
// Inside the project, so the external AWS SDK resolves from node_modules as the runtime's does.
const dir = join(process.cwd(), 'node_modules', '.cache', 'exchange-sync-cold-start');
mkdirSync(dir, { recursive: true });
const env = {
  ...process.env,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'x',
  AWS_SECRET_ACCESS_KEY: 'x',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  [ENV.mailboxTable]: 'm',
  [ENV.cursorTable]: 'c',
  [ENV.itemTable]: 'i',
  [ENV.syncQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
};

function importMs(file: string): number {
  // The timer starts inside the child, so Node's own start-up is not counted.
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`;
  return Number(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, cwd: process.cwd() }),
  );
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const empty = join(dir, 'empty.mjs');
writeFileSync(empty, 'export {};\n');
const baseline = median(Array.from({ length: RUNS }, () => importMs(empty)));
console.log(
  `bench:cold-start (median of ${RUNS} fresh processes; an empty module imports in ${baseline.toFixed(1)} ms)`,
);
for (const name of ['worker', 'scheduler']) {
  const outfile = join(dir, `${name}.mjs`);
  await build({
    entryPoints: [`functions/${name}.ts`],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    external: EXTERNAL_MODULES,
    outfile,
    logLevel: 'error',
  });
  const ms = median(Array.from({ length: RUNS }, () => importMs(outfile)));
  console.log(
    `  ${name}: ${(statSync(outfile).size / 1024).toFixed(0)} KB minified, module init ${ms.toFixed(1)} ms ` +
      `(${(ms / baseline).toFixed(1)}x the empty module; budget 150 ms)`,
  );
}
