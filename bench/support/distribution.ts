// How the benchmarks report repeated measurements: min, median and max (a median alone hides the
// slow runs a skeptic asks about), and the machine's load average beside them, since this is a
// shared machine and every figure depends on what else runs.
import { loadavg } from 'node:os';

export interface Distribution {
  min: number;
  median: number;
  max: number;
}

export function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) throw new Error('no values to summarize');
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted.at(-1)! };
}

/** `median (min–max)` with `digits` decimals. */
export function formatDistribution(values: readonly number[], digits = 2, unit = ''): string {
  const { min, median, max } = distribution(values);
  return `${median.toFixed(digits)}${unit} (${min.toFixed(digits)}–${max.toFixed(digits)})`;
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export function loadAverage(): string {
  return loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
}
