// The README's settings tables, rendered from the table so the documentation cannot drift
// (lib/settings/readme.test.ts compares them with README.md and can rewrite them).
import { CONTEXT_SETTINGS, SETTINGS, type Setting, type SettingName } from './settings.js';

/** Marks the generated part of README.md. */
export const README_MARKERS = {
  begin: '<!-- settings:begin (generated from lib/settings/settings.ts) -->',
  end: '<!-- settings:end -->',
} as const;

const code = (text: string) => `\`${text}\``;

export function renderDefault(value: unknown): string {
  return value === undefined ? 'none' : code(String(value));
}

function meaning(row: Setting): string {
  if (!row.range) return row.description;
  const [min, max] = row.range.map((n) => n.toLocaleString('en-US'));
  return `${row.description} (${min}–${max})`;
}

/** A Markdown table with padded columns (as a formatter would leave it). */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The deploy settings (CDK context keys), then the settings only the environment carries. */
export function renderSettingsTables(): string {
  const deploy = CONTEXT_SETTINGS.map((name) => {
    const row: Setting = SETTINGS[name];
    return [code(row.context!), row.env ? code(row.env) : '', renderDefault(row.default), meaning(row)];
  });
  const envOnly = (Object.keys(SETTINGS) as SettingName[])
    .filter((name) => SETTINGS[name].context === undefined)
    .map((name) => {
      const row: Setting = SETTINGS[name];
      return [code(row.env!), renderDefault(row.default), meaning(row)];
    });
  return [
    table(['key', 'environment', 'default', 'meaning'], deploy),
    '',
    'Set only in the environment (the stack or the local run sets them):',
    '',
    table(['variable', 'default', 'meaning'], envOnly),
  ].join('\n');
}

/** README text with the generated block replaced; undefined when the markers are missing. */
export function withSettingsTables(readme: string): string | undefined {
  const begin = readme.indexOf(README_MARKERS.begin);
  const end = readme.indexOf(README_MARKERS.end);
  if (begin < 0 || end < begin) return undefined;
  return `${readme.slice(0, begin + README_MARKERS.begin.length)}\n${renderSettingsTables()}\n${readme.slice(end)}`;
}
