// A server call may take only the time its page can spare: what the invocation has left minus
// what the apply and the advance need afterwards. A call that overran that would leave a page
// that cannot write what it fetched (and a lease to expire into a takeover resync).

export interface CallBudget {
  /** Aborted when the invocation's signal is, or when the budget has run out. */
  readonly signal: AbortSignal;
  /** Ends the budget's timer and its listener on the invocation's signal: call after the call. */
  release(): void;
}

export function callBudget(invocation: AbortSignal | undefined, budgetMs: number): CallBudget {
  const controller = new AbortController();
  const fromInvocation = () => controller.abort(invocation?.reason);
  if (invocation?.aborted) fromInvocation();
  else invocation?.addEventListener('abort', fromInvocation, { once: true });
  // A listener per call on the invocation's signal, removed afterwards (AbortSignal.any would
  // leave them on a long-lived signal, one per call).
  const timer = setTimeout(
    () => controller.abort(new DOMException('the call used up the time its page can spare', 'TimeoutError')),
    Math.max(1, Math.floor(budgetMs)),
  );
  // A page that never ends (a killed environment) must not keep the process alive for it.
  timer.unref?.();
  return {
    signal: controller.signal,
    release() {
      clearTimeout(timer);
      invocation?.removeEventListener('abort', fromInvocation);
    },
  };
}
