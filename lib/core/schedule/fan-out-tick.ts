// Use case: the scheduler's tick. Pages through the registry and starts one hierarchy chain per
// enabled mailbox that is due; the hierarchy sync then starts the folder chains (so new folders
// sync in the same tick and deleted ones are never enqueued). Hands the rest of the scan to a
// `fanout` job when the invocation runs short of time.
import type { CoreDeps } from '../deps.js';
import { newHierarchyCursor } from '../hierarchy/folder-cursors.js';
import { type FanOutJob, fanOutJob, startJob } from '../jobs/builders.js';
import { type Cursor, HIERARCHY_CURSOR_ID, type Mailbox } from '../model.js';
import type { FanOutOutcome } from '../outcome.js';
import type { Enqueue } from '../ports.js';
import { needsChain } from './due.js';

/**
 * Park reasons (the code before the colon) that Exchange reports for mailboxes that work again
 * later: such a mailbox is re-checked on a slow timer rather than left for an operator. HTTP 401
 * and ErrorImpersonateUserDenied come and go in Exchange Online; ErrorImpersonationFailed is,
 * by Microsoft's ResponseCode reference, a misconfigured server or forest trust, or a server that
 * cannot reach its directory, the last of which passes (docs/ARCHITECTURE.md, "Error codes").
 * Anything else (an operator's park, a missing mailbox, a licence, ErrorAccessDenied, a host the
 * credentials may not go to) stays parked until someone unparks it.
 */
export const RECHECKED_PARK_CODES: ReadonlySet<string> = new Set([
  'HTTP_401',
  'ErrorImpersonateUserDenied',
  'ErrorImpersonationFailed',
]);

function isDueForRecheck(mailbox: Mailbox, now: number, config: CoreDeps['config']): boolean {
  const code = mailbox.parkedReason?.split(':', 1)[0]?.trim() ?? '';
  return (
    mailbox.status === 'parked' &&
    RECHECKED_PARK_CODES.has(code) &&
    now - mailbox.updatedAt >= config.parkedRecheckMs
  );
}

export interface FanOutContext {
  remainingMs(): number;
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let index = 0;
  const worker = async () => {
    while (index < items.length) await task(items[index++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

async function hierarchyCursor(
  deps: CoreDeps,
  mailbox: Mailbox,
  now: number,
): Promise<{ cursor?: Cursor; created: boolean }> {
  const existing = await deps.cursors.get(mailbox.mailboxId, HIERARCHY_CURSOR_ID);
  if (existing) return { cursor: existing, created: false };
  const fresh = newHierarchyCursor(mailbox.mailboxId, HIERARCHY_CURSOR_ID, now);
  if (await deps.cursors.create(fresh)) return { cursor: fresh, created: true };
  return { cursor: await deps.cursors.get(mailbox.mailboxId, HIERARCHY_CURSOR_ID), created: false };
}

/**
 * One tick (`from` absent) or the continuation of one (`from` = the fanout job). Always scans at
 * least one registry page, so a chain of continuations makes progress whatever the budget.
 */
export async function fanOutTick(
  deps: CoreDeps,
  context: FanOutContext,
  from?: FanOutJob,
): Promise<FanOutOutcome> {
  const { registry, queue, random, config, clock } = deps;
  const tickAt = from?.tickAt ?? clock.now();
  const hop = from ? from.hop + 1 : 0;
  const outcome: FanOutOutcome = {
    outcome: 'completed',
    mailboxesScanned: 0,
    hierarchyJobs: 0,
    cursorsCreated: 0,
    enqueued: 0,
  };
  if (hop > config.maxHops) return { ...outcome, outcome: 'max-hops' };
  let next = from?.next;
  for (;;) {
    const page = await registry.list({ limit: config.fanOut.pageSize, next });
    const entries: Enqueue[] = [];
    await eachLimited(page.mailboxes, config.fanOut.concurrency, async (mailbox) => {
      outcome.mailboxesScanned++;
      if (mailbox.status !== 'enabled') {
        if (!isDueForRecheck(mailbox, tickAt, config)) return;
        await registry.unpark(mailbox.mailboxId, tickAt);
        outcome.rechecked = (outcome.rechecked ?? 0) + 1;
      }
      // A paused mailbox gets no new chain: the ones it has resume when the pause ends, and a
      // job per tick for it would only circulate until then.
      if ((mailbox.backoffUntil ?? 0) > tickAt) return;
      const { cursor, created } = await hierarchyCursor(deps, mailbox, tickAt);
      if (created) outcome.cursorsCreated++;
      if (cursor && needsChain(cursor, tickAt, config)) entries.push({ job: startJob(cursor, random) });
    });
    if (entries.length > 0) await queue.send(entries);
    outcome.hierarchyJobs += entries.length;
    outcome.enqueued += entries.length;
    next = page.next;
    if (next === undefined) return outcome;
    if (context.remainingMs() < config.fanOut.marginMs) {
      await queue.send([{ job: fanOutJob(next, tickAt, hop, random) }]);
      return { ...outcome, outcome: 'continued', enqueued: outcome.enqueued + 1, next };
    }
  }
}
