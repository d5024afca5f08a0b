// One page, in the order of PROTOCOL.md "One page" (the step numbers below are its). The parts:
// mailbox-gate.ts (back-off, slots, park), cursor-lease.ts (ownership, lease, the cursor writes),
// reaction-policy.ts and reaction-executor.ts (what a failure leads to). The two use cases only
// supply a PageApplier: how to call the server and how to apply what it returned.

import type { CoreDeps, PageContext } from '../deps.js';
import { followUpJob, type PageJob } from '../jobs/builders.js';
import type { Cursor, Mailbox } from '../model.js';
import type { PageOutcome } from '../outcome.js';
import { releaseLane } from '../schedule/lanes.js';
import { delayUntil } from './backoff.js';
import { callBudget } from './call-budget.js';
import { advance, decideOwnership, endChain, handOverToRetry, isStopped, takeLease } from './cursor-lease.js';
import { mayRunInline } from './inline-chain.js';
import {
  endParkedChain,
  freeSlotAfterFailedCall,
  latestPause,
  noSlot,
  noSlotDelaySeconds,
  pastPause,
  pausedUntil,
  takeSlot,
} from './mailbox-gate.js';
import {
  baseOutcome,
  type FetchedPage,
  type OutcomeBase,
  type OutcomeDetails,
  openSession,
  type PageApplier,
  type PageSession,
} from './page-applier.js';
import { applyReaction } from './reaction-executor.js';
import { reactionTo, toPageError } from './reaction-policy.js';

/** A lease write that lost a race is decided again on the fresh row, at most this many times. */
const LEASE_RACE_RETRIES = 2;

export async function runLeasedPage<P extends FetchedPage>(
  deps: CoreDeps,
  job: PageJob,
  context: PageContext,
  applier: PageApplier<P>,
  raceRetriesLeft = LEASE_RACE_RETRIES,
): Promise<PageOutcome> {
  const { registry, cursors, clock, random, config, queue } = deps;
  const cursorId = applier.cursorIdOf(job);
  const base = baseOutcome(job, cursorId);

  // 1. The mailbox.
  const mailbox = await registry.get(job.mailboxId);
  if (!mailbox) return { ...base, outcome: 'dropped-missing' };
  if (mailbox.status === 'parked') {
    await endParkedChain(deps, job, cursorId);
    return { ...base, outcome: 'dropped-parked' };
  }
  const now = clock.now();
  const paused = pausedUntil(mailbox, now);
  if (paused !== undefined) {
    // Never call a backed-off mailbox; the same job comes back when the pause is over.
    const delaySeconds = pastPause(deps, paused, now);
    await queue.send([{ job, delaySeconds }]);
    return { ...base, outcome: 'backed-off', enqueued: 1, delaySeconds };
  }

  // 2. The cursor and who owns it.
  const cursor =
    (await cursors.get(job.mailboxId, cursorId)) ?? (await applier.missingCursor(deps, job, now));
  if (!cursor) return { ...base, outcome: 'dropped-missing' };
  if (isStopped(cursor)) return { ...base, outcome: 'dropped-gone' };

  const ownership = decideOwnership(cursor, job, now);
  switch (ownership.kind) {
    case 'resend-follow-up': {
      // The lane this page handed on may be lost with it too (a second start is dropped stale).
      const followUp = followUpJob(job, ownership.nextJobId, cursor.version);
      const released = (await releaseLane(deps, job, followUp)) ? 1 : 0;
      await queue.send([{ job: followUp }]);
      return { ...base, outcome: 'resent-follow-up', enqueued: 1 + released };
    }
    case 'redo-completion': {
      // Redelivered after completing: what follows the completion (the hierarchy starting the
      // folder chains) may not have happened. Run it again: the jobs it sends are issued for the
      // cursors' versions, so a second copy of one is dropped stale.
      if (!applier.afterComplete || !applier.startsMoreOnCompletion(job))
        return { ...base, outcome: 'dropped-stale' };
      const session = openSession(
        deps,
        job,
        mailbox,
        context,
        { owner: context.owner, now, cursor },
        noSlot(deps),
      );
      const after = await applier.afterComplete(session);
      return { ...base, ...after, outcome: 'redone-completion' };
    }
    case 'duplicate': {
      const delaySeconds = delayUntil(ownership.leaseUntil, now, config.slotRetry.baseMs, random);
      await queue.send([{ job, delaySeconds }]);
      return { ...base, outcome: 'duplicate', enqueued: 1, delaySeconds };
    }
    case 'stale':
      return { ...base, outcome: 'dropped-stale' };
    case 'acquire':
      break;
  }

  // 3. Enough time left to start.
  if (context.remainingMs() < config.timeReserve.startMs) {
    await queue.send([{ job, delaySeconds: 1 }]);
    return { ...base, outcome: 'deferred', enqueued: 1, delaySeconds: 1 };
  }
  // 4. A mailbox slot, freed as soon as the call returns (or left to what follows the page).
  const owner = `${context.owner}/${random.id()}`;
  const slot = await takeSlot(deps, job, mailbox, context);
  if (!slot) {
    const delaySeconds = noSlotDelaySeconds(deps);
    await queue.send([{ job, delaySeconds }]);
    return { ...base, outcome: 'no-slot', enqueued: 1, delaySeconds };
  }
  try {
    // 5. The lease.
    const leased = await takeLease(
      deps,
      cursor,
      job,
      owner,
      now,
      leaseReset(deps, applier, mailbox, cursor, ownership.takeover, job, now),
    );
    if (!leased) {
      // The row changed since we decided (a page we took over from advanced after all, or the
      // hierarchy wrote): decide again on the fresh row, e.g. re-send the follow-up it promised.
      if (raceRetriesLeft <= 0) return { ...base, outcome: 'dropped-stale' };
      await slot.freeSlot();
      return runLeasedPage(deps, job, context, applier, raceRetriesLeft - 1);
    }
    const session = openSession(deps, job, mailbox, context, { owner, now, cursor: leased }, slot);
    return await runHeldPage(session, applier, context, {
      ...base,
      fence: leased.version,
      requestId: session.requestId,
    });
  } finally {
    await slot.freeSlot();
  }
}

/**
 * What the lease resets: after a dirty stop the applier's repair, at the start of a chain whose
 * periodic resync is due the same fields as an invalid SyncState.
 */
function leaseReset<P extends FetchedPage>(
  deps: CoreDeps,
  applier: PageApplier<P>,
  mailbox: Mailbox,
  cursor: Cursor,
  takeover: boolean,
  job: PageJob,
  now: number,
): ((cursor: Cursor) => Partial<Cursor>) | undefined {
  const due = applier.resyncDue?.(deps, mailbox, cursor, job, now) ?? false;
  if (!takeover && !due) return undefined;
  return (c) => ({
    ...(takeover ? applier.afterDirtyStop(c) : {}),
    ...(due ? applier.resetForResync(c) : {}),
  });
}

/** Steps 6 to 11, for a page that holds the lease and a slot. */
async function runHeldPage<P extends FetchedPage>(
  session: PageSession,
  applier: PageApplier<P>,
  context: PageContext,
  base: OutcomeBase,
): Promise<PageOutcome> {
  const { deps, job } = session;
  const { config, queue } = deps;
  // 6. The pause again, as late as possible, so that no call reaches a paused mailbox.
  const pause = await latestPause(deps, job.mailboxId);
  if (pause.until !== undefined) {
    const until = pause.until;
    const sent = await handOverToRetry(session, {
      attempt: job.attempt ?? 0,
      delaySeconds: () => pastPause(deps, until, pause.at),
    });
    return sent
      ? { ...base, outcome: 'backed-off', enqueued: 1, ...sent }
      : { ...base, outcome: 'lease-lost' };
  }

  const called = { ...base, pages: 1 };
  let page: P;
  const budget = callBudget(session.signal, context.remainingMs() - config.timeReserve.applyMs);
  try {
    page = await applier.fetch({ ...session, signal: budget.signal });
  } catch (error) {
    const classified = toPageError(error);
    const recorded = await freeSlotAfterFailedCall(session, classified);
    const reaction = reactionTo(classified, job, { dirty: false, pause: recorded }, config);
    return applyReaction(session, applier, called, classified, reaction);
  } finally {
    budget.release();
  }
  const hopsExhausted = !page.complete && job.hop + 1 > config.maxHops;
  const promisedJobId = page.complete || hopsExhausted ? undefined : session.successorId;
  // What needs nothing of this page's writes starts now (the next folder of a lane, with the slot).
  const early = page.complete ? await applier.startOnCompleteCall?.(session) : undefined;
  if (early) Object.assign(called, early);
  // The slot stays with what follows: the follow-up, or what the completion starts.
  const successorLikely =
    promisedJobId !== undefined || (page.complete && applier.startsMoreOnCompletion(job));
  if (!successorLikely) await session.freeSlot();

  // 7. A server that claims more while sending nothing never ends a chain by itself: empty pages
  // in a row stop it, whether their state is fresh or the same again. The same state is not
  // final at once: Graph may answer a nextLink with an empty page and the same link, and have
  // the changes at the next try.
  const empty = !page.complete && page.changeCount === 0;
  const emptyPages = empty ? (session.cursor.emptyPages ?? 0) + 1 : undefined;
  const sameState = empty && page.syncState === session.cursor.syncState;
  if ((emptyPages ?? 0) >= config.maxEmptyPages) {
    const error = sameState
      ? {
          kind: 'protocol',
          code: 'SyncStateNotAdvancing',
          message: 'same SyncState returned while more changes were claimed',
        }
      : {
          kind: 'protocol',
          code: 'EmptyPagesNotAdvancing',
          message: `${emptyPages} pages in a row brought no change while more changes were claimed`,
        };
    const written = await endChain(session, error, 'idle', error.code, { emptyPages: undefined });
    return { ...called, outcome: written ? 'not-advancing' : 'lease-lost', error };
  }

  // 8. Writing items we could not confirm would force a resync: hand the page on instead.
  if (context.remainingMs() < config.timeReserve.applyMs) {
    const sent = await handOverToRetry(session, { attempt: job.attempt ?? 0 });
    return sent ? { ...called, outcome: 'deferred', enqueued: 1 } : { ...called, outcome: 'lease-lost' };
  }

  // 9 and 10. Apply, then advance. Before the advance stamps it anew: when this folder last
  // completed a sync.
  const syncedBefore = session.cursor.lastSyncedAt;
  let details: OutcomeDetails = {};
  let nextJobId: string | undefined;
  let written: Cursor | undefined;
  try {
    details = await applier.apply(session, page);
    if (page.complete) details = { ...details, ...(await applier.beforeComplete?.(session)) };
    nextJobId = promisedJobId;
    written = await advance(session, page, {
      nextJobId,
      emptyPages,
      hopsExhausted,
      fields: applier.advanceFields && ((base) => applier.advanceFields!(session, base)),
    });
  } catch (error) {
    const classified = toPageError(error);
    const reaction = reactionTo(classified, job, { dirty: true }, config);
    return applyReaction(session, applier, { ...called, ...details }, classified, reaction);
  }
  // 11. The follow-up, or what follows a completed chain.
  const outcome = { ...called, ...details };
  if (!written) return { ...outcome, outcome: 'lease-lost' };
  if (isStopped(written)) return { ...outcome, outcome: 'stopped' };
  if (written.lastError?.code === 'MaxHopsExceeded') return { ...outcome, outcome: 'max-hops' };
  if (nextJobId) {
    const followUp = followUpJob(job, nextJobId, written.version);
    // The lane first: a redelivery re-sends both while the follow-up has not run.
    const released = (await releaseLane(deps, job, followUp)) ? 1 : 0;
    const advanced = {
      ...outcome,
      outcome: 'advanced' as const,
      enqueued: (outcome.enqueued ?? 0) + released,
    };
    if (context.chain && mayRunInline(deps, session, context)) {
      // The dispatch runs it next in this invocation (inline-chain.ts), with the slot.
      session.keepSlotForSuccessor();
      context.chain.next = followUp;
      return advanced;
    }
    await queue.send([{ job: followUp }]);
    session.keepSlotForSuccessor();
    return { ...advanced, enqueued: advanced.enqueued + 1 };
  }
  const after = await applier.afterComplete?.(session);
  return { ...outcome, ...after, outcome: 'completed', ...lagOf(session, syncedBefore) };
}

/** How far behind the folder's mirror could have been: since its previous completed sync. */
function lagOf(session: PageSession, syncedBefore: number | undefined): Pick<PageOutcome, 'lagMs'> {
  if (session.job.type !== 'folder' || syncedBefore === undefined) return {};
  return { lagMs: Math.max(0, session.now - syncedBefore) };
}
