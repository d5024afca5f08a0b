// The README's settings tables are rendered from the settings table: this fails when they drift.
// To regenerate them after changing lib/settings/settings.ts:
//   UPDATE_README=1 npx vitest run lib/settings/readme.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { README_MARKERS, renderDefault, renderSettingsTables, withSettingsTables } from './markdown.js';
import { SETTINGS, type Setting, type SettingName } from './settings.js';

const README = join(import.meta.dirname, '../../README.md');

describe('the README settings tables', () => {
  // Read in each test: the first may have rewritten it.
  const current = () => readFileSync(README, 'utf8');

  it('are the ones the settings table renders', () => {
    const readme = current();
    const expected = withSettingsTables(readme);
    expect(expected, `README.md lacks ${README_MARKERS.begin} ... ${README_MARKERS.end}`).toBeDefined();
    if (process.env.UPDATE_README === '1' && expected !== readme) writeFileSync(README, expected!);
    else
      expect(
        readme,
        'README.md is out of date: run UPDATE_README=1 npx vitest run lib/settings/readme.test.ts',
      ).toBe(expected);
  });

  it('list every setting with its default', () => {
    const readme = current();
    const block = readme.slice(readme.indexOf(README_MARKERS.begin), readme.indexOf(README_MARKERS.end));
    for (const name of Object.keys(SETTINGS) as SettingName[]) {
      const row: Setting = SETTINGS[name];
      const line = block.split('\n').find((l) => l.startsWith(`| \`${row.context ?? row.env}\``));
      expect(line, name).toBeDefined();
      expect(line).toContain(renderDefault(row.default));
      if (row.env) expect(line).toContain(`\`${row.env}\``);
    }
  });

  it('would see a drift (control)', () => {
    const readme = current();
    const drifted = readme.replace(
      /\| `maxHops`( +)\| `MAX_HOPS`( +)\| `500`/,
      '| `maxHops`$1| `MAX_HOPS`$2| `999`',
    );
    expect(drifted).not.toBe(readme);
    expect(withSettingsTables(drifted)).toBe(readme);
    expect(renderSettingsTables()).toContain('`500`');
  });
});
