// Several pages of a chain in one invocation (`pagesPerInvocation`, PROTOCOL.md "Pages in a
// row"). A page whose follow-up may run here leaves it in `context.chain.next` instead of sending
// it (step 11); the dispatch runs it next, through the whole use case as a delivery would, so
// what a use case does around a page (a lane going on) happens once per page. Each page's writes
// record the delivered job as done, so a redelivery of that one message recovers a crash at any
// page of the run (decideOwnership: resend-follow-up).
import type { CoreDeps, InlineChain, PageContext } from '../deps.js';
import type { PageJob } from '../jobs/builders.js';
import type { PageOutcome } from '../outcome.js';
import type { PageSession } from './page-applier.js';
import { discardReadAhead } from './read-ahead.js';
import { releasePassedSlot } from './slot-hold.js';

/**
 * Runs `job` and the follow-ups its pages leave to run inline; returns the last page's outcome
 * and reports the others through `context.onOutcome` as they end.
 */
export async function runChainInline(
  deps: CoreDeps,
  job: PageJob,
  context: PageContext,
  runPage: (job: PageJob, context: PageContext) => Promise<PageOutcome>,
): Promise<PageOutcome> {
  const chain: InlineChain = { deliveredJobId: job.jobId, pages: 0 };
  const inChain: PageContext = { ...context, chain };
  let current = job;
  try {
    for (;;) {
      chain.pages += 1;
      chain.next = undefined;
      const outcome = await runPage(current, inChain);
      // A page that ended before taking the slot passed to it (stale, paused, ...) gives it back.
      await releasePassedSlot(deps, inChain, current.jobId);
      const next = chain.next as PageJob | undefined;
      if (!next) return outcome;
      context.onOutcome?.(outcome);
      current = next;
    }
  } finally {
    // A page that threw may leave a read ahead behind (its answer is no longer wanted) and the
    // slot it passed on.
    await discardReadAhead(chain);
    if (chain.slot) await releasePassedSlot(deps, inChain, chain.slot.forJobId);
  }
}

/**
 * Whether the page's follow-up may run in this invocation: pages left in the run, someone to
 * report this page's outcome to, and time for another page with the start reserve to spare (the
 * reserve again, or twice what this page took if that is more).
 */
export function mayRunInline(deps: CoreDeps, session: PageSession, context: PageContext): boolean {
  const { chain, onOutcome } = context;
  const { pagesPerInvocation, timeReserve } = deps.config;
  if (!chain || !onOutcome || chain.pages >= pagesPerInvocation) return false;
  const tookMs = Math.max(0, deps.clock.now() - session.now);
  return context.remainingMs() > timeReserve.startMs + Math.max(timeReserve.startMs, 2 * tookMs);
}
