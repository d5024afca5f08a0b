// A call's budget runs on the deps' clock: it ends when that clock passes it, never on real time.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/random.js';
import { callBudget } from './call-budget.js';

describe("a call's budget", () => {
  it('runs out when its clock passes it, at least 1 ms for a page with no time left', () => {
    const clock = new ManualClock();
    const budget = callBudget(clock, undefined, -250);
    expect(budget.signal.aborted).toBe(false);
    clock.advance(1);
    expect(budget.signal.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('ends its timer when released, and ends with the invocation', () => {
    const clock = new ManualClock();
    const released = callBudget(clock, undefined, 50);
    released.release();
    clock.advance(50);
    expect(released.signal.aborted).toBe(false);

    const invocation = new AbortController();
    const budget = callBudget(clock, invocation.signal, 50);
    invocation.abort(new DOMException('early timeout', 'TimeoutError'));
    expect(budget.signal.reason).toBe(invocation.signal.reason);
  });

  it('has no limit of its own on a clock without a timer', () => {
    let now = 0;
    const budget = callBudget({ now: () => now }, undefined, 1);
    now += 60_000;
    expect(budget.signal.aborted).toBe(false);
  });
});
