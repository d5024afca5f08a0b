// The configured interval is kept: a day of ticks on a fake clock, with the jitter EventBridge
// Scheduler has and a server that takes time to answer, syncs a folder set to 15 minutes every
// 15 minutes (96 times a day), not every 20 (72), and never leaves a gap of a tick more.
import { describe, expect, it } from 'vitest';
import { Harness } from '../testing/harness.js';
import { fanOutTick } from './fan-out-tick.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const A = 'a@example.com';

interface Day {
  syncs: Map<string, number[]>;
  interval: number;
}

/** Ticks through a day; returns when each folder's sync completed (its lastSyncedAt stamps). */
async function simulateDay(options: {
  intervalMin: number;
  tickMin: number;
  jitterMs: number;
}): Promise<Day> {
  const interval = options.intervalMin * MINUTE;
  const tick = options.tickMin * MINUTE;
  const h = new Harness({ seed: 7, config: { syncIntervalMs: interval, tickIntervalMs: tick } });
  await h.addMailbox(A);
  const folders = [0, 1, 2, 3].map((i) => h.server.addFolder(A, { displayName: `f${i}` }));
  for (const folderId of folders) h.server.createItem(A, folderId);
  // Every server call takes 300 ms of the fake clock: syncs are stamped after their tick.
  h.server.gate = async () => h.clock.advance(300);
  const start = h.clock.now();
  const syncs = new Map<string, number[]>(folders.map((f) => [f, []]));
  for (let k = 0; k * tick < DAY; k++) {
    const jitter = (h.random.next() * 2 - 1) * options.jitterMs;
    h.clock.set(Math.max(h.clock.now(), start + k * tick + jitter));
    await fanOutTick(h.deps, h.context());
    await h.runUntilQuiet();
    for (const folderId of folders) {
      const at = h.cursors.peek(A, folderId)?.lastSyncedAt;
      const seen = syncs.get(folderId)!;
      if (at !== undefined && at !== seen.at(-1)) seen.push(at);
    }
  }
  return { syncs, interval };
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

describe('the sync interval over a simulated day', () => {
  it('syncs a 15-minute folder every 15 minutes on a 5-minute tick with 2 s of jitter', async () => {
    const { syncs } = await simulateDay({ intervalMin: 15, tickMin: 5, jitterMs: 2_000 });
    for (const [folderId, times] of syncs) {
      expect(times.length, folderId).toBeGreaterThanOrEqual(95);
      expect(times.length, folderId).toBeLessThanOrEqual(97);
      // ± one tick at most; in fact within the jitter and the call times.
      expect(Math.max(...gaps(times)), folderId).toBeLessThanOrEqual(15 * MINUTE + 10_000);
      expect(Math.min(...gaps(times)), folderId).toBeGreaterThanOrEqual(15 * MINUTE - 10_000);
    }
  });

  it('keeps an interval that is no multiple of the tick within one tick', async () => {
    const { syncs } = await simulateDay({ intervalMin: 12, tickMin: 5, jitterMs: 2_000 });
    for (const [folderId, times] of syncs) {
      for (const gap of gaps(times)) {
        expect(gap, folderId).toBeGreaterThanOrEqual(12 * MINUTE - 5 * MINUTE);
        expect(gap, folderId).toBeLessThanOrEqual(12 * MINUTE + 5 * MINUTE);
      }
    }
  });

  it('syncs at every tick when the interval is at most the tick', async () => {
    const { syncs } = await simulateDay({ intervalMin: 5, tickMin: 5, jitterMs: 2_000 });
    for (const times of syncs.values()) expect(times.length).toBeGreaterThanOrEqual(287);
  });
});
