// A server call may take only the time its page can spare: what the invocation has left minus
// what the apply and the advance need afterwards. A call that overran that would leave a page
// that cannot write what it fetched (and a lease to expire into a takeover resync).
//
// The budget runs on the Clock's timer, not on one of its own: `remainingMs` comes from the
// clock, so the deadline must too. On a clock a test moves by hand, a real timer would end a call
// whenever the machine happened to be slow (a page that thawed late gets a budget of 1 ms).
import type { Clock } from '../ports.js';

export interface CallBudget {
  /** Aborted when the invocation's signal is, or when the budget has run out. */
  readonly signal: AbortSignal;
  /** Ends the budget's timer and its listener on the invocation's signal: call after the call. */
  release(): void;
}

export function callBudget(clock: Clock, invocation: AbortSignal | undefined, budgetMs: number): CallBudget {
  const controller = new AbortController();
  const fromInvocation = () => controller.abort(invocation?.reason);
  if (invocation?.aborted) fromInvocation();
  else invocation?.addEventListener('abort', fromInvocation, { once: true });
  // A listener per call on the invocation's signal, removed afterwards (AbortSignal.any would
  // leave them on a long-lived signal, one per call).
  const cancelTimer = clock.setTimer?.(Math.max(1, Math.floor(budgetMs)), () =>
    controller.abort(new DOMException('the call used up the time its page can spare', 'TimeoutError')),
  );
  return {
    signal: controller.signal,
    release() {
      cancelTimer?.();
      invocation?.removeEventListener('abort', fromInvocation);
    },
  };
}
