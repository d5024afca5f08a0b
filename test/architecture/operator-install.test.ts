// An operator installs with `npm ci --omit=dev`: the CLI's entry must load without any dev
// dependency. Followed statically from the entry, as Node loads it: a dynamic import() is loaded
// only by the command that needs it (the local run, `dev`, `simulator`, each of which first says
// to run `npm ci` when a dev dependency is missing); `import type` vanishes at run time.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
/** Static imports and re-exports (not `import type`), and bare `import 'x'`. */
const STATIC_IMPORT =
  /(?:^|\n)\s*(?:import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Package → the first file of the closure that imports it statically. */
function staticPackages(entry: string): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, typeOnly, from, bare] of readFileSync(join(ROOT, file), 'utf8').matchAll(STATIC_IMPORT)) {
      const specifier = (from ?? bare)!;
      if (typeOnly || specifier.startsWith('node:')) continue;
      if (!specifier.startsWith('.')) {
        if (!packages.has(packageName(specifier))) packages.set(packageName(specifier), file);
        continue;
      }
      const target = relative(ROOT, resolve(ROOT, dirname(file), specifier)).replace(/\.js$/, '.ts');
      if (!existsSync(join(ROOT, target))) throw new Error(`${file}: cannot find ${specifier}`);
      visit(target);
    }
  };
  visit(entry);
  return packages;
}

const { devDependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};

describe('the operator CLI after npm ci --omit=dev', () => {
  it('loads no dev dependency on the way to any command', () => {
    const packages = staticPackages('cli/main.ts');
    const dev = [...packages].filter(([name]) => name in devDependencies).map(([n, f]) => `${n} (${f})`);
    expect(dev).toEqual([]);
    // The closure is the real one: the commands and the AWS clients are in it.
    expect([...packages.keys()]).toEqual(expect.arrayContaining(['commander', '@aws-sdk/client-dynamodb']));
  });

  it('would see a dev dependency imported on the way (control: the simulator loads its XML parser)', () => {
    expect(staticPackages('simulator/index.ts').get('fast-xml-parser')).toBe('simulator/request.ts');
  });
});
