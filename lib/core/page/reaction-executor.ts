// Carries out a Reaction (reaction-policy.ts) for a page that holds its lease: hands the page to
// a retry job, ends the chain, or parks the mailbox, and says what happened.

import type { PageError, PageOutcome } from '../outcome.js';
import { backoffMs, toDelaySeconds } from './backoff.js';
import { endChain, failedWriteOutcome, handOverToRetry } from './cursor-lease.js';
import { parkForError } from './mailbox-gate.js';
import type { FetchedPage, OutcomeBase, PageApplier, PageSession } from './page-applier.js';
import type { ClassifiedError, Reaction } from './reaction-policy.js';

export async function applyReaction<P extends FetchedPage>(
  session: PageSession,
  applier: PageApplier<P>,
  outcome: OutcomeBase,
  error: ClassifiedError,
  reaction: Reaction,
): Promise<PageOutcome> {
  const { deps, job } = session;
  // A hand-over that could not be written: the lease was lost, or the folder stopped meanwhile.
  const lost = () => ({ ...outcome, outcome: failedWriteOutcome(session), error });
  // The retry, and the lane's next folder when the retry handed the lane on.
  const enqueued = (sent: { handedOn?: number }) => outcome.enqueued + 1 + (sent.handedOn ?? 0);
  switch (reaction.do) {
    case 'throttle': {
      const { pauseMs } = reaction;
      const sent = await handOverToRetry(session, {
        attempt: job.attempt ?? 0,
        error,
        delaySeconds: () => toDelaySeconds(pauseMs),
      });
      if (!sent) return lost();
      return {
        ...outcome,
        outcome: 'throttled',
        enqueued: enqueued(sent),
        ...sent,
        backoffMs: pauseMs,
        error,
      };
    }
    case 'retry': {
      const { attempt } = reaction;
      const sent = await handOverToRetry(session, {
        attempt,
        error,
        reset: reaction.dirty ? (base) => applier.afterDirtyStop(base) : undefined,
        delaySeconds: () => toDelaySeconds(backoffMs(attempt - 1, deps.config.transientRetry, deps.random)),
        handLaneOn: true,
      });
      if (!sent) return lost();
      const { handedOn: _counted, ...delay } = sent;
      return { ...outcome, outcome: 'retrying', enqueued: enqueued(sent), ...delay, error };
    }
    case 'resync': {
      const sent = await handOverToRetry(session, {
        attempt: 0,
        error,
        reset: (base) => applier.resetForResync(base),
        // Spread out: many states expiring together (Graph delta tokens) must not resync at once.
        delaySeconds: () => toDelaySeconds(deps.random.next() * deps.config.resyncJitterMs),
        handLaneOn: true,
      });
      if (!sent) return lost();
      return { ...outcome, outcome: 'resync', enqueued: enqueued(sent), error };
    }
    case 'stop': {
      const written = await endChain(session, error, reaction.reason);
      return { ...outcome, outcome: written ? 'gave-up' : failedWriteOutcome(session), error };
    }
    case 'gone':
      return applier.onFolderNotFound(session, error);
    case 'park':
      return reaction.byThrottle
        ? releaseParked(session, outcome, error)
        : parkMailbox(session, outcome, error);
  }
}

/** Parks the mailbox for the error and ends the chain (an applier's answer, too: a missing root). */
export async function parkMailbox(
  session: PageSession,
  outcome: OutcomeBase,
  error: PageError,
): Promise<PageOutcome> {
  await parkForError(session.deps, session.job.mailboxId, error, session.now);
  return releaseParked(session, outcome, error);
}

/** The mailbox is parked: the chain ends here, the cursor says why. */
async function releaseParked(
  session: PageSession,
  outcome: OutcomeBase,
  error: PageError,
): Promise<PageOutcome> {
  const written = await endChain(session, error, 'MailboxParked');
  return { ...outcome, outcome: written ? 'parked' : failedWriteOutcome(session), error };
}
