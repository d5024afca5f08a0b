// Output for people (tables, relative times) and for scripts (JSON). Only identifiers, counts,
// states and error codes are printed: never credentials or item content.
import colors from '@colors/colors/safe.js';
import Table from 'cli-table3';
import type { CliIo } from './io.js';

export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Colours only for a terminal that wants them: never into a pipe or a file (where escape codes
 * are noise) and never when NO_COLOR is set to anything but the empty string (no-color.org).
 */
export function wantsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR ?? '') === '';
}

/**
 * cli-table3's style: its default colours, or none (cli-table3 alone colours even a pipe). Its
 * colour library decides once, from process.stdout, whether to colour at all; the decision here
 * is per stream, so it is handed over (a table for a terminal is coloured even when stdout is a
 * pipe, as under a test runner or CI).
 */
export function tableStyle(colour: boolean): { head?: string[]; border?: string[] } {
  if (!colour) return { head: [], border: [] };
  colors.enable();
  return {};
}

export function printTable(io: CliIo, head: string[], rows: (string | number)[][]): void {
  // No colours: output is often piped or pasted into tickets.
  // No row separators: a mailbox can have hundreds of folders.
  const table = new Table({
    head,
    style: tableStyle(false),
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  table.push(...rows.map((row) => row.map(String)));
  io.out(`${table.toString()}\n`);
}

/** `42s`, `7m`, `3h 5m`, `2d 4h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d ${h % 24}h`;
}

/** `5m ago`, or `never`. */
export function formatAgo(at: number | undefined, now: number): string {
  return at === undefined ? 'never' : `${formatDuration(now - at)} ago`;
}

export function isoOrNull(at: number | undefined): string | null {
  return at === undefined ? null : new Date(at).toISOString();
}
