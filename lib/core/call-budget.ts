// A server call may take only the time its page can spare: what the invocation has left minus
// what the apply and the advance need afterwards. A call that overran that would leave a page
// that cannot write what it fetched (and a lease to expire into a takeover resync).

/** The invocation's signal, also aborted once `budgetMs` have passed. */
export function callSignal(signal: AbortSignal | undefined, budgetMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(Math.max(1, Math.floor(budgetMs)));
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}
