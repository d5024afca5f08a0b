// One page, in the order of PROTOCOL.md "One page" (the step numbers below are its). The parts:
// mailbox-gate.ts (back-off, slots, park), cursor-lease.ts (ownership, lease, the cursor writes),
// reaction-policy.ts and reaction-executor.ts (what a failure leads to). The two use cases only
// supply a PageApplier: how to call the server and how to apply what it returned.

import type { CoreDeps, PageContext } from '../deps.js';
import { followUpJob, type PageJob } from '../jobs/builders.js';
import { type Cursor, isStopped, type Mailbox } from '../model.js';
import type { PageOutcome } from '../outcome.js';
import { releaseLane } from '../schedule/lanes.js';
import { delayUntil } from './backoff.js';
import { decideOwnership, takeLease } from './cursor-lease.js';
import { runHeldPage } from './held-page.js';
import { endParkedChain, noSlot, noSlotDelaySeconds, pastPause, pausedUntil } from './mailbox-gate.js';
import { baseOutcome, type FetchedPage, openSession, type PageApplier } from './page-applier.js';
import { callOrTakeReadAhead, discardReadAhead, mailboxReadAhead, type PageCall } from './read-ahead.js';
import { takeSlot } from './slot-hold.js';

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

  // 1. The mailbox (for an inline follow-up, as its predecessor read it for the read ahead).
  const mailbox = await (mailboxReadAhead(context.chain, job.jobId) ?? registry.get(job.mailboxId));
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
    cursorPassedTo(context, job.jobId) ??
    (await cursors.get(job.mailboxId, cursorId)) ??
    (await applier.missingCursor(deps, job, now));
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
      const after = await applier.afterComplete(session, context);
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
    // 5. The lease. A page that is likely idle calls first and takes no lease when the answer
    // brings no change: its advance is then the page's one write ("Idle pages").
    const reset = leaseReset(deps, applier, mailbox, cursor, ownership.takeover, job, now);
    let called: PageCall<P> | undefined;
    if (!reset && !ownership.takeover && applier.mayCallBeforeLease?.(cursor, job)) {
      const held = { owner, now, cursor, unleased: true as const };
      const unleased = openSession(deps, job, mailbox, context, held, slot);
      // The call the page before started for it (a lane's next folder), or its own.
      called = await callOrTakeReadAhead(unleased, applier, context);
      const { result } = called;
      // Nothing to write but the cursor, whether the chain ends here or goes on (a Graph
      // hierarchy walks mail folders to their link, then contact folders).
      if (result.kind === 'page' && result.page.changeCount === 0)
        return await runHeldPage(unleased, applier, context, base, called);
    }
    const leased = await takeLease(deps, cursor, job, owner, now, reset);
    if (!leased) {
      // The row changed since we decided (a page we took over from advanced after all, or the
      // hierarchy wrote): decide again on the fresh row, e.g. re-send the follow-up it promised.
      if (raceRetriesLeft <= 0) return { ...base, outcome: 'dropped-stale' };
      await discardReadAhead(context.chain);
      await slot.freeSlot();
      return runLeasedPage(deps, job, context, applier, raceRetriesLeft - 1);
    }
    const held = { owner, now, cursor: leased };
    const session = openSession(deps, job, mailbox, context, held, slot);
    return await runHeldPage(
      session,
      applier,
      context,
      { ...base, fence: leased.version, requestId: session.requestId },
      called,
    );
  } finally {
    // A read ahead that no follow-up of this invocation will use ends before the slot is freed:
    // the slot bounds the calls in flight.
    if (!context.chain?.next) await discardReadAhead(context.chain);
    await slot.freeSlot();
  }
}

/** The cursor the page before this one in the invocation wrote, passed to this job; taken once. */
function cursorPassedTo(context: PageContext, jobId: string): Cursor | undefined {
  const passed = context.chain?.cursor;
  if (context.chain) context.chain.cursor = undefined;
  return passed?.forJobId === jobId ? passed.cursor : undefined;
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
