// The Node version the README states is true: `npm ci` on it is engine-clean. The floor is
// package.json's `engines.node`; every locked package (optional ones too: npm warns about those
// as well) must admit it, and the README must state it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const read = <T>(file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as T;

// semver comes with npm's own dependency tree (locked, dev); it has no types of its own here.
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { major: number; minor: number; version: string } | null;
  satisfies(version: string, range: string): boolean;
};

interface LockedPackage {
  version?: string;
  engines?: { node?: string };
}

const packageJson = read<{ engines: { node: string } }>('package.json');
const floor = semver.minVersion(packageJson.engines.node)!;

/** Locked packages whose `engines.node` refuses `version`. */
function refusing(version: string): string[] {
  const lock = read<{ packages: Record<string, LockedPackage> }>('package-lock.json');
  return Object.entries(lock.packages)
    .filter(([path, p]) => path !== '' && p.engines?.node && !semver.satisfies(version, p.engines.node))
    .map(
      ([path, p]) => `${path.replace(/^.*node_modules\//, '')}@${p.version} wants node ${p.engines!.node}`,
    );
}

describe('the stated Node version', () => {
  it('is admitted by every locked package', () => {
    expect(refusing(floor.version)).toEqual([]);
  });

  it('would see a package that refuses it (control: vite wants 20.19 at least)', () => {
    expect(refusing('20.0.0')).toContainEqual(expect.stringMatching(/^vite@.* wants node/));
  });

  it('is the one the README states, in the quick start and for a deployment', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const stated = [...readme.matchAll(/Node\.js ≥ ([\d.]+)/g)].map(([, version]) => version);
    expect(stated.length).toBeGreaterThanOrEqual(2);
    expect(new Set(stated)).toEqual(new Set([`${floor.major}.${floor.minor}`]));
  });
});
