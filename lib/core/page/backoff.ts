// Delays: every re-enqueue goes through here so that no path can produce a tight retry loop.
import type { RetryPolicy } from '../config.js';
import type { Random } from '../ports.js';

/** SQS allows at most 15 minutes of per-message delay. */
export const MAX_DELAY_SECONDS = 900;

/**
 * Exponential back-off with "equal jitter": half the step is fixed, half random, so a retry never
 * comes back almost at once (full jitter can draw ~0) yet concurrent retries spread out.
 * `attempt` counts from 0.
 */
export function backoffMs(attempt: number, policy: RetryPolicy, random: Random): number {
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(step / 2 + (random.next() * step) / 2);
}

/** Whole seconds for an SQS delay, rounded up so a message never arrives before `ms` elapsed. */
export function toDelaySeconds(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(MAX_DELAY_SECONDS, Math.ceil(ms / 1000));
}

/** Seconds until `until`, plus up to `jitterMs`, for re-sending a job past a back-off or lease. */
export function delayUntil(until: number, now: number, jitterMs: number, random: Random): number {
  return toDelaySeconds(until - now + random.next() * jitterMs);
}
