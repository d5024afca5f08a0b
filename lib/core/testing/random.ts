// Test fake: a deterministic Random (mulberry32) with readable sequential ids.
import type { Random } from '../ports.js';

export class SeededRandom implements Random {
  private state: number;
  private counter = 0;

  constructor(
    seed: number,
    private readonly idPrefix = 'id',
  ) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  id(): string {
    this.counter += 1;
    return `${this.idPrefix}-${this.counter}`;
  }
}

/** Test fake: a clock the test moves by hand. */
export class ManualClock {
  constructor(private current = 1_700_000_000_000) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}
