import { describe, expect, it } from 'vitest';
import { clampDelaySeconds } from './sqs-work-queue.js';

describe('clampDelaySeconds', () => {
  it('rounds up into 0..900', () => {
    expect(clampDelaySeconds(undefined)).toBe(0);
    expect(clampDelaySeconds(-5)).toBe(0);
    expect(clampDelaySeconds(0.2)).toBe(1);
    expect(clampDelaySeconds(42)).toBe(42);
    expect(clampDelaySeconds(5000)).toBe(900);
    expect(clampDelaySeconds(Number.NaN)).toBe(0);
  });
});
