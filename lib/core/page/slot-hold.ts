// A page's mailbox slot (mailbox-gate.ts has what a slot is for). A slot is written once, under
// the name of the job that is to follow the page (`follow-up:<successorId>`), so the successor
// sent through the queue takes it over by name. Along the pages a run takes in a row (inline
// chains) the slot passes in memory and is not written at all: only when the run hands a
// successor to the queue is the row renamed for it, one write per run instead of one per page.
import type { CoreDeps, PageContext } from '../deps.js';
import type { PageJob } from '../jobs/builders.js';
import type { Mailbox } from '../model.js';
import { slotClaimFor, slotsOf } from './mailbox-gate.js';
import type { SlotHold } from './page-applier.js';

/** A slot row this invocation holds: which slot, the name it is held under, until when. */
export interface HeldSlotRow {
  readonly mailboxId: string;
  readonly slot: number;
  readonly holder: string;
  readonly until: number;
  /** The max the slot was taken within (a rename may take another slot if this one is gone). */
  readonly max: number;
}

/** A slot passed in memory to the job that runs next in this invocation. */
export interface InlineSlot extends HeldSlotRow {
  readonly forJobId: string;
}

/**
 * Takes one of the mailbox's slots for this page: the one the page before it in this invocation
 * passed on, or the one its predecessor named for it, or a free one; undefined when all are busy.
 */
export async function takeSlot(
  deps: CoreDeps,
  job: PageJob,
  mailbox: Mailbox,
  context: PageContext,
): Promise<SlotHold | undefined> {
  const successorId = deps.random.id();
  // A slot passed to another job stays for runChainInline to release (releasePassedSlot).
  const chain = context.chain;
  const passed = chain?.slot?.forJobId === job.jobId ? chain.slot : undefined;
  if (chain && passed) chain.slot = undefined;
  const max = slotsOf(deps, mailbox);
  // Passed in memory and alive for longer than this page may take: no write.
  if (passed && passed.until - deps.clock.now() > deps.config.leaseMs / 2)
    return holdSlot(deps, passed, successorId, context);
  // Otherwise taken over by name (the passed row, or the row the predecessor named for this job).
  const claim = passed?.holder ?? slotClaimFor(job.jobId);
  const taken = await acquireSlotWaiting(deps, job.mailboxId, max, slotClaimFor(successorId), context, claim);
  return taken && holdSlot(deps, { ...taken, mailboxId: job.mailboxId, max }, successorId, context);
}

/** Gives back a slot passed on in memory that the job it was for did not take (it ended early). */
export async function releasePassedSlot(deps: CoreDeps, context: PageContext, jobId: string): Promise<void> {
  const passed = context.chain?.slot;
  if (!passed || passed.forJobId !== jobId || !context.chain) return;
  context.chain.slot = undefined;
  await deps.registry.releaseSlot(passed.mailboxId, passed.slot, passed.holder);
}

function holdSlot(deps: CoreDeps, row: HeldSlotRow, successorId: string, context: PageContext): SlotHold {
  let state: 'held' | 'kept' | 'freed' = 'held';
  const named = slotClaimFor(successorId);
  return {
    successorId,
    freeSlot: async () => {
      if (state !== 'held') return;
      state = 'freed';
      await deps.registry.releaseSlot(row.mailboxId, row.slot, row.holder);
    },
    keepSlotForSuccessor: async () => {
      if (state !== 'held') return;
      state = 'kept';
      if (row.holder === named) return;
      // Held under the name of an earlier page of this run: renamed for the queued successor.
      const now = deps.clock.now();
      await deps.registry.acquireSlot(
        row.mailboxId,
        row.max,
        named,
        now + deps.config.leaseMs,
        now,
        row.holder,
      );
    },
    keepSlotInline: (jobId) => {
      if (state !== 'held' || !context.chain) return false;
      state = 'kept';
      context.chain.slot = { ...row, forJobId: jobId };
      return true;
    },
  };
}

/** Takes a mailbox slot, waiting briefly in-process for one to free when the clock can sleep. */
async function acquireSlotWaiting(
  deps: CoreDeps,
  mailboxId: string,
  max: number,
  holder: string,
  context: PageContext,
  claim: string,
): Promise<{ slot: number; holder: string; until: number } | undefined> {
  const { registry, clock, config, random } = deps;
  const budget = Math.min(config.slotWaitMs, context.remainingMs() - config.timeReserve.startMs);
  const deadline = clock.now() + Math.max(0, budget);
  let pauseMs = 20;
  for (;;) {
    const now = clock.now();
    const until = now + config.leaseMs;
    const slot = await registry.acquireSlot(mailboxId, max, holder, until, now, claim);
    if (slot !== undefined) return { slot, holder, until };
    if (!clock.sleep || now + pauseMs > deadline) return undefined;
    await clock.sleep(pauseMs * (0.5 + random.next()));
    pauseMs = Math.min(pauseMs * 2, 100);
  }
}
