// Test fakes: a deterministic Random (mulberry32) with readable sequential ids, and a clock moved
// by hand.
import type { Clock, Random } from '../ports.js';

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

/**
 * Test fake: a clock the test moves by hand. Its timers fire when it is moved to or past their
 * deadline (in deadline order, inside `advance` or `set`), never because real time passed.
 */
export class ManualClock implements Clock {
  private readonly timers = new Set<{ at: number; fire: () => void }>();

  constructor(private current = 1_700_000_000_000) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.set(this.current + ms);
  }
  set(ms: number): void {
    this.current = ms;
    const due = [...this.timers].filter((timer) => timer.at <= ms).sort((a, b) => a.at - b.at);
    for (const timer of due) {
      this.timers.delete(timer);
      timer.fire();
    }
  }
  setTimer(ms: number, fire: () => void): () => void {
    const timer = { at: this.current + ms, fire };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }
}
