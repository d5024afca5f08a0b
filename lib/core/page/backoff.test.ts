import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../testing/random.js';
import { backoffMs, delayUntil, MAX_DELAY_SECONDS, toDelaySeconds } from './backoff.js';

const policy = { baseMs: 1000, capMs: 60_000 };

describe('backoffMs', () => {
  it('doubles per attempt, stays within [step/2, step] and never exceeds the cap', () => {
    const random = new SeededRandom(7);
    for (let attempt = 0; attempt < 40; attempt++) {
      const step = Math.min(60_000, 1000 * 2 ** attempt);
      for (let i = 0; i < 20; i++) {
        const ms = backoffMs(attempt, policy, random);
        expect(ms).toBeGreaterThanOrEqual(step / 2);
        expect(ms).toBeLessThanOrEqual(step);
      }
    }
  });

  it('is jittered: equal attempts draw different delays', () => {
    const random = new SeededRandom(1);
    const draws = new Set(Array.from({ length: 10 }, () => backoffMs(3, policy, random)));
    expect(draws.size).toBeGreaterThan(5);
  });
});

describe('delays', () => {
  it('rounds up to whole seconds and caps at the SQS maximum', () => {
    expect(toDelaySeconds(0)).toBe(0);
    expect(toDelaySeconds(-5)).toBe(0);
    expect(toDelaySeconds(1)).toBe(1);
    expect(toDelaySeconds(1000)).toBe(1);
    expect(toDelaySeconds(1001)).toBe(2);
    expect(toDelaySeconds(10_000_000)).toBe(MAX_DELAY_SECONDS);
  });

  it('never delivers before the deadline', () => {
    const random = new SeededRandom(3);
    for (let i = 0; i < 50; i++) {
      const seconds = delayUntil(12_345, 2_000, 3_000, random);
      expect(seconds * 1000).toBeGreaterThanOrEqual(12_345 - 2_000);
      expect(seconds * 1000).toBeLessThanOrEqual(12_345 - 2_000 + 3_000 + 1000);
    }
  });
});
