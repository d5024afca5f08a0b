// Steps 6 to 11 of PROTOCOL.md "One page", for a page that holds the lease and a slot: the call
// (or the read ahead its predecessor started, read-ahead.ts), the guards on what came back, the
// apply and the advance, and what follows.
import type { PageContext } from '../deps.js';
import { followUpJob } from '../jobs/builders.js';
import type { Cursor } from '../model.js';
import type { PageOutcome } from '../outcome.js';
import { releaseLane } from '../schedule/lanes.js';
import { advance, endChain, failedWriteOutcome, handOverToRetry } from './cursor-lease.js';
import { expectAnswer } from './early-read.js';
import { mayRunInline } from './inline-chain.js';
import { pastPause } from './mailbox-gate.js';
import type { FetchedPage, OutcomeBase, OutcomeDetails, PageApplier, PageSession } from './page-applier.js';
import { applyReaction } from './reaction-executor.js';
import { reactionTo, toPageError } from './reaction-policy.js';
import {
  callOrTakeReadAhead,
  hasLaneAfter,
  type PageCall,
  startReadAhead,
  wantsCallAfter,
} from './read-ahead.js';

export async function runHeldPage<P extends FetchedPage>(
  session: PageSession,
  applier: PageApplier<P>,
  context: PageContext,
  base: OutcomeBase,
  /** The call this page made before its lease (run-leased-page.ts, "Idle pages"). */
  calledBeforeLease?: PageCall<P>,
): Promise<PageOutcome> {
  const { deps, job } = session;
  const { config, queue } = deps;
  // 6. The pause again, as late as possible, so that no call reaches a paused mailbox; then the
  // call. A read ahead checked the pause right before its own call.
  const call = calledBeforeLease ?? (await callOrTakeReadAhead(session, applier, context));
  const fetched = call.result;
  if (fetched.kind === 'paused') {
    const sent = await handOverToRetry(session, {
      attempt: job.attempt ?? 0,
      delaySeconds: () => pastPause(deps, fetched.until, fetched.at),
    });
    return sent
      ? { ...base, outcome: 'backed-off', enqueued: 1, ...sent }
      : { ...base, outcome: failedWriteOutcome(session) };
  }
  const called = { ...base, pages: 1, requestId: call.requestId };
  if (fetched.kind === 'error') {
    // The call recorded a throttle answer as the mailbox's pause before the slot goes.
    await session.freeSlot();
    const { error, pause } = fetched;
    const reaction = reactionTo(error, job, { dirty: false, pause }, config);
    return applyReaction(session, applier, called, error, reaction);
  }
  const page = fetched.page;
  const hopsExhausted = !page.complete && job.hop + 1 > config.maxHops;
  const promisedJobId = page.complete || hopsExhausted ? undefined : session.successorId;
  // What needs nothing of this page's writes starts now (the next folder of a lane, with the slot).
  const early = page.complete ? await applier.startOnCompleteCall?.(session, context) : undefined;
  if (early) {
    session.laneWentOn = true;
    Object.assign(called, early);
  }
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
    const written = await endChain(session, error, error.code, { emptyPages: undefined });
    return { ...called, outcome: written ? 'not-advancing' : failedWriteOutcome(session), error };
  }

  // 8. Writing items we could not confirm would force a resync: hand the page on instead.
  if (context.remainingMs() < config.timeReserve.applyMs) {
    const sent = await handOverToRetry(session, { attempt: job.attempt ?? 0 });
    return sent
      ? { ...called, outcome: 'deferred', enqueued: 1 }
      : { ...called, outcome: failedWriteOutcome(session) };
  }
  // The follow-up's call goes out now, while this page writes.
  if (promisedJobId !== undefined) {
    const cursor = { ...session.cursor, syncState: page.syncState };
    startReadAhead(session, applier, context, {
      jobId: promisedJobId,
      cursorId: applier.cursorIdOf(job),
      cursor,
      continuesChain: true,
      laneAfter: hasLaneAfter(job),
    });
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
    // From the last write on, the page after this one waits for the answer read ahead for it
    // (unless that answer is in, ends the chain, and no lane goes on after it).
    const ahead = context.chain?.ahead;
    if (ahead && wantsCallAfter(ahead)) expectAnswer(deps, context.chain, job.mailboxId);
    nextJobId = promisedJobId;
    written = await advance(session, page, {
      nextJobId,
      emptyPages,
      hopsExhausted,
      fields: applier.advanceFields && ((base) => applier.advanceFields!(session, base)),
    });
  } catch (error) {
    const classified = toPageError(error);
    // A page without a lease wrote nothing before its advance (its answer had no change): the
    // failure leaves nothing a resync would have to find.
    const reaction = reactionTo(classified, job, { dirty: !session.unleased }, config);
    return applyReaction(session, applier, { ...called, ...details }, classified, reaction);
  }
  // 11. The follow-up, or what follows a completed chain.
  const outcome = { ...called, ...details };
  // Not written: the lease was lost, or the folder was stopped (its close takes our items).
  if (!written) return { ...outcome, outcome: failedWriteOutcome(session) };
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
      // The dispatch runs it next in this invocation (inline-chain.ts), with the slot and the
      // cursor as written.
      session.keepSlotInline(followUp.jobId);
      context.chain.next = followUp;
      context.chain.cursor = { forJobId: followUp.jobId, cursor: written };
      return advanced;
    }
    await queue.send([{ job: followUp }]);
    await session.keepSlotForSuccessor();
    return { ...advanced, enqueued: advanced.enqueued + 1 };
  }
  const after = await applier.afterComplete?.(session, context);
  return { ...outcome, ...after, outcome: 'completed', ...lagOf(session, syncedBefore) };
}

/** How far behind the folder's mirror could have been: since its previous completed sync. */
function lagOf(session: PageSession, syncedBefore: number | undefined): Pick<PageOutcome, 'lagMs'> {
  if (session.job.type !== 'folder' || syncedBefore === undefined) return {};
  return { lagMs: Math.max(0, session.now - syncedBefore) };
}
