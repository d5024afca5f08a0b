// The mailbox gate: what stands between a page and the server, per mailbox and shared by every
// worker. The shared back-off (no call inside a pause some worker recorded), the slots (at most
// `maxConcurrentSyncs` calls in flight), and the park (the mailbox waits for an operator).
// The gate writes a cursor only to end the chain of a parked mailbox (no lease is taken for
// that); what a leased page does with its cursor is cursor-lease.ts's business.

import type { CoreDeps } from '../deps.js';
import type { PageJob } from '../jobs/builders.js';
import type { Cursor, Mailbox } from '../model.js';
import type { PageError } from '../outcome.js';
import { StaleCursorError } from '../ports.js';
import { leaseIsLive } from '../schedule/due.js';
import { delayUntil, toDelaySeconds } from './backoff.js';
import type { SlotHold } from './page-applier.js';
import { serverText } from './throttle.js';

/** The end of the mailbox's pause when it is paused at `now`; undefined when it may be called. */
export function pausedUntil(
  mailbox: Pick<Mailbox, 'backoffUntil'> | undefined,
  now: number,
): number | undefined {
  const until = mailbox?.backoffUntil;
  return until !== undefined && until > now ? until : undefined;
}

/** Seconds to delay a job so that it comes back after the pause, jittered so workers spread out. */
export function pastPause(deps: CoreDeps, until: number, now: number): number {
  return delayUntil(until, now, deps.config.throttleJitterMs, deps.random);
}

/** The name a slot is held under for the job `jobId` that is to claim it (a page's successor). */
export const slotClaimFor = (jobId: string) => `follow-up:${jobId}`;

/** For a page that holds no slot (a redone completion calls nothing that counts against one). */
export function noSlot(deps: CoreDeps): SlotHold {
  return {
    successorId: deps.random.id(),
    freeSlot: async () => {},
    keepSlotForSuccessor: async () => {},
    keepSlotInline: () => false,
  };
}

/**
 * How many slots the mailbox has: what its row allows, and never more than its source accepts
 * (a row moved to Graph with a larger value would otherwise pause itself with 429s).
 */
export function slotsOf(deps: Pick<CoreDeps, 'mailSource'>, mailbox: Mailbox): number {
  const cap = deps.mailSource.maxConcurrentCalls?.(mailbox);
  const valid = typeof cap === 'number' && Number.isInteger(cap) && cap >= 1;
  return valid ? Math.min(mailbox.maxConcurrentSyncs, cap) : mailbox.maxConcurrentSyncs;
}

/** No slot free: the same job again after a short random delay (a slot frees within a call). */
export function noSlotDelaySeconds(deps: CoreDeps): number {
  const { baseMs, capMs } = deps.config.slotRetry;
  return toDelaySeconds(baseMs + deps.random.next() * (capMs - baseMs));
}

/** Parks the mailbox for an operator, with the error as the reason. */
export function parkForError(
  deps: CoreDeps,
  mailboxId: string,
  error: PageError,
  now: number,
): Promise<void> {
  return deps.registry.park(mailboxId, serverText(`${error.code}: ${error.message}`), now);
}

/**
 * A chain's job arrives for a parked mailbox: the chain ends here, and its cursor says so (idle,
 * `MailboxParked`) instead of staying `syncing` until stuck detection. Only the job the chain
 * promised (or the one issued for the cursor's version) may end it; a stale copy changes nothing.
 */
export async function endParkedChain(deps: CoreDeps, job: PageJob, cursorId: string): Promise<void> {
  const cursor = await deps.cursors.get(job.mailboxId, cursorId);
  if (cursor?.status !== 'syncing') return;
  if (leaseIsLive(cursor, deps.clock.now())) return;
  if (cursor.nextJobId !== job.jobId && cursor.version !== job.expectVersion) return;
  const next: Cursor = {
    ...cursor,
    version: cursor.version + 1,
    status: 'idle',
    lease: undefined,
    nextJobId: undefined,
    doneJobId: job.jobId,
    statusReason: 'MailboxParked',
    updatedAt: deps.clock.now(),
  };
  try {
    await deps.cursors.replace(cursor, next);
  } catch (error) {
    // Someone else wrote the cursor meanwhile: theirs is the newer word.
    if (!(error instanceof StaleCursorError)) throw error;
  }
}
