// The rule of dependencies (docs/ARCHITECTURE.md), checked on every import of the source tree:
// the core imports nothing outside itself but zod; adapters and the protocol clients import no
// composition (infra/, functions/, cli/, local/); nothing in lib/ imports the simulator.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** Every import of a file: `node:` and package names as written, relative ones as repo paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(IMPORT)].map(([, from, dynamic]) => {
    const specifier = (from ?? dynamic)!;
    return specifier.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), specifier)) : specifier;
  });
}

const isTest = (file: string) => file.endsWith('.test.ts') || file.includes('/testing/');

function violations(dir: string, allowed: (specifier: string, file: string) => boolean): string[] {
  return sources(dir).flatMap((file) =>
    importsOf(file)
      .filter((specifier) => !allowed(specifier, file))
      .map((specifier) => `${file} imports ${specifier}`),
  );
}

describe('the rule of dependencies', () => {
  it('lib/core imports nothing outside itself but zod (its tests and test fakes also their tools)', () => {
    const tools = new Set(['vitest', 'fast-check']);
    expect(
      violations(
        'lib/core',
        (specifier, file) =>
          specifier.startsWith('lib/core/') ||
          specifier === 'zod' ||
          specifier.startsWith('zod/') ||
          (isTest(file) && (tools.has(specifier) || specifier.startsWith('node:'))),
      ),
    ).toEqual([]);
  });

  it('adapters and protocol clients import no composition: no infra/, functions/, cli/ or local/', () => {
    const composition = /^(infra|functions|cli|local|simulator)\//;
    const allowed = (specifier: string, file: string) => !composition.test(specifier) || isTest(file);
    const dirs = ['lib/adapters', 'lib/ews', 'lib/graph', 'lib/auth', 'lib/http'];
    expect(dirs.flatMap((dir) => violations(dir, allowed))).toEqual([]);
  });

  it('functions/ only wires: no adapter directly, the composition root (lib/app) builds them', () => {
    const allowed = (specifier: string, file: string) =>
      !specifier.startsWith('lib/adapters/') || isTest(file);
    expect(violations('functions', allowed)).toEqual([]);
  });

  it('protocol clients know neither the engine nor each other: lib/graph, lib/auth, lib/http', () => {
    const protocolFree = (dir: string, others: RegExp) =>
      violations(dir, (specifier) => !others.test(specifier) && !specifier.startsWith('lib/core/'));
    expect([
      ...protocolFree('lib/graph', /^lib\/(ews|adapters)\//),
      ...protocolFree('lib/auth', /^lib\/(ews|graph|adapters)\//),
      ...protocolFree('lib/http', /^lib\/(ews|graph|auth|adapters)\//),
    ]).toEqual([]);
  });

  it('no EWS term in lib/core (the engine is protocol-neutral)', () => {
    const ewsTerms = /includesLast|FieldURI|\bIPF\.|\bSOAP\b|SyncFolderItems|SyncFolderHierarchy/;
    const offenders = sources('lib/core').filter((file) =>
      ewsTerms.test(readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('the checker sees imports (it would fail on a violation)', () => {
    expect(importsOf('lib/adapters/dynamodb/dynamo-item-mirror.ts')).toContain(
      'lib/core/mirror/mirror-rules.js',
    );
    expect(importsOf('lib/app/env.ts')).toContain('infra/resources.js');
  });
});
