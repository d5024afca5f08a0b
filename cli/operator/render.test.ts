import { describe, expect, it } from 'vitest';
import { formatDuration } from './render.js';

const MIN = 60_000;

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [59_000, '59s'],
    [5 * MIN, '5m'],
    [65 * MIN, '1h 5m'],
    [48 * 60 * MIN, '2d'],
  ])('%d ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
