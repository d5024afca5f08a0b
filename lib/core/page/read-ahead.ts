// Reading ahead along a chain that runs inline (PROTOCOL.md "Pages in a row"): once a page has
// fetched, and its follow-up is likely to run in this invocation, the follow-up's server call
// starts at once from the state the page fetched, while the page writes its items and advances.
// The chain's critical path becomes the server's latency instead of server plus store.
//
// Safe because a fetch is a read: the cursor still advances only after the items are written,
// and the follow-up uses what was read ahead only when its leased cursor holds exactly the state
// the read started from (same generation, same source); anything else discards it. One call per
// chain is in flight at a time, under the slot the chain holds for its follow-up, and the pause is
// checked right before the call as a page's own call does. A read ahead that is not used is
// aborted and waited for before the slot goes, so the slot still bounds calls in flight.
import type { InlineChain, PageContext } from '../deps.js';
import type { PageJob } from '../jobs/builders.js';
import type { Cursor, Mailbox } from '../model.js';
import { laneOf } from '../schedule/lanes.js';
import { callBudget } from './call-budget.js';
import { earlyReadOnAnswer, expectAnswer, mailboxForCall } from './early-read.js';
import { mayRunInline } from './inline-chain.js';
import { pausedUntil } from './mailbox-gate.js';
import type { FetchedPage, PageApplier, PageSession } from './page-applier.js';
import { type ClassifiedError, toPageError } from './reaction-policy.js';
import { type Pause, pauseMailbox } from './throttle.js';

/**
 * What a call came to: the page, the error the call threw (with the pause recorded for a throttle
 * answer), or a pause found before it, so that no call was made.
 */
export type CallResult<P extends FetchedPage = FetchedPage> =
  | { kind: 'page'; page: P }
  | { kind: 'error'; error: ClassifiedError; pause?: Pause }
  | { kind: 'paused'; until: number; at: number };

/**
 * Step 6 of a page: the mailbox's pause as late as possible, so that no call reaches a paused
 * mailbox, then the call within the time the page can spare. A throttle answer becomes the
 * mailbox's back-off at once, before anything else of the invocation goes on (a read ahead
 * answers while its page still writes).
 */
export async function callServer<P extends FetchedPage>(
  session: PageSession,
  applier: PageApplier<P>,
  context: PageContext,
  latest: Promise<Mailbox | undefined> = session.deps.registry.get(session.job.mailboxId),
  /** Whether another call may follow this one in the run (its answer then starts an early read). */
  mayBeFollowed = false,
): Promise<CallResult<P>> {
  const { deps } = session;
  const at = deps.clock.now();
  const until = pausedUntil(await latest, at);
  if (until !== undefined) return { kind: 'paused', until, at };
  const budget = callBudget(
    deps.clock,
    context.signal,
    context.remainingMs() - deps.config.timeReserve.applyMs,
  );
  // The next read ahead's mailbox read starts when this answer begins to arrive (early-read.ts).
  const onAnswer = mayBeFollowed ? earlyReadOnAnswer(deps, context.chain, session.job.mailboxId) : undefined;
  try {
    return { kind: 'page', page: await applier.fetch({ ...session, signal: budget.signal, onAnswer }) };
  } catch (thrown) {
    const error = toPageError(thrown);
    if (error.kind !== 'throttled') return { kind: 'error', error };
    return { kind: 'error', error, pause: await pauseMailbox(deps, session.job.mailboxId, error) };
  } finally {
    budget.release();
  }
}

/** A page's call as the page takes it up: what it came to, and the request id it went with. */
export interface PageCall<P extends FetchedPage = FetchedPage> {
  result: CallResult<P>;
  requestId: string;
}

/**
 * Step 6's call for `session`: the read ahead the page before it started, if it was read from
 * exactly the state this page holds, else the page's own call (the pause read right before it,
 * never an earlier read: a pause another worker wrote is seen by every call issued after it).
 */
export async function callOrTakeReadAhead<P extends FetchedPage>(
  session: PageSession,
  applier: PageApplier<P>,
  context: PageContext,
): Promise<PageCall<P>> {
  const chain = context.chain;
  const ahead = await takeReadAhead(session, applier.cursorIdOf(session.job), chain);
  // While the page waits, the answer's arrival may start the next call's mailbox read.
  expectAnswer(session.deps, chain, session.job.mailboxId);
  try {
    if (ahead) return { result: (await ahead.result) as CallResult<P>, requestId: ahead.requestId };
    const own = await callServer(session, applier, context, undefined, mayBeFollowed(session.job));
    return { result: own, requestId: session.requestId };
  } finally {
    if (chain) chain.awaitingAnswer = false;
  }
}

/** A follow-up's call started by the page before it (kept in `InlineChain.ahead`). */
export interface ReadAhead {
  /** The job the read is for: the page's promised follow-up. */
  readonly forJobId: string;
  readonly mailboxId: string;
  readonly cursorId: string;
  readonly generation: number;
  /** The state the call was made from (a follow-up's: not yet written when the call started). */
  readonly fromSyncState: string | undefined;
  /** The mail source the call went to, as the registry row said then. */
  readonly source: string;
  readonly requestId: string;
  /**
   * The mailbox as read right before the call: the follow-up's first step uses it instead of
   * reading it again (read-ahead is the follow-up's step 6 run early; its step 1 comes with it).
   */
  readonly mailbox: Promise<Mailbox | undefined>;
  readonly result: Promise<CallResult>;
  /** Set once the answer is in and parsed: whether it ends its folder's chain (no follow-up). */
  endsChain?: boolean;
  /** The job's lane has folders after it: a call follows its page even when the chain ends. */
  readonly laneAfter: boolean;
  abort(): void;
}

/** What a read ahead is for: the job that runs next and the cursor it will start from. */
export interface AheadTarget {
  readonly jobId: string;
  readonly cursorId: string;
  /** The follow-up's cursor as it will be after this page's advance, or a lane folder's as read. */
  readonly cursor: Cursor;
  /** The job is a follow-up: it continues a chain (whose later pages tend to have more). */
  readonly continuesChain: boolean;
  /** The job's lane has folders after it (hasLaneAfter). */
  readonly laneAfter: boolean;
}

/** The job's lane has folders after it: the lane goes on when the job's chain ends. */
export const hasLaneAfter = (job: PageJob): boolean => (laneOf(job)?.length ?? 0) > 0;

/**
 * Whether a call for `job` may be followed by another call in the run: it continues a chain, or
 * its lane goes on. A lane's last folder, idle, is not: its answer starts no early read that
 * nothing would use.
 */
const mayBeFollowed = (job: PageJob): boolean => job.hop > 0 || hasLaneAfter(job);

/**
 * Whether the page the read ahead is for will want another call, as far as is known: its answer
 * is not in yet or does not end the chain, or its lane goes on.
 */
export const wantsCallAfter = (ahead: ReadAhead): boolean => !ahead.endsChain || ahead.laneAfter;

/**
 * Starts the call of the job that runs next in this invocation (the page's follow-up, from the
 * state it fetched, or a lane's next folder) when that job is likely to run inline. The page goes
 * on with its writes; the job picks the result up (takeReadAhead).
 */
export function startReadAhead<P extends FetchedPage>(
  session: PageSession,
  applier: PageApplier<P>,
  context: PageContext,
  target: AheadTarget,
): void {
  const { deps, job } = session;
  const chain = context.chain;
  if (!chain || !mayRunInline(deps, session, context)) return;
  const requestId = deps.random.id();
  const controller = new AbortController();
  const abortWith = () => controller.abort(context.signal?.reason);
  if (context.signal?.aborted) abortWith();
  else context.signal?.addEventListener('abort', abortWith, { once: true });
  // Read right before the call (or started as this page's answer arrived, if fresh enough); the
  // job it is for uses it as its step 1 too.
  const mailbox = mailboxForCall(deps, chain, job.mailboxId);
  const result = callServer(
    { ...session, cursor: target.cursor, requestId },
    applier,
    { ...context, signal: controller.signal },
    mailbox,
    target.continuesChain || target.laneAfter,
  ).finally(() => context.signal?.removeEventListener('abort', abortWith));
  // Whoever takes it up sees its failure (a store error); until then it is not unhandled.
  mailbox.catch(() => {});
  const ahead: ReadAhead = {
    forJobId: target.jobId,
    mailboxId: job.mailboxId,
    cursorId: target.cursorId,
    generation: target.cursor.generation,
    fromSyncState: target.cursor.syncState,
    source: sourceKey(session),
    requestId,
    mailbox,
    result,
    laneAfter: target.laneAfter,
    abort: () => controller.abort(new DOMException('the answer is no longer wanted', 'AbortError')),
  };
  // Also keeps a failure from being unhandled until the job takes the result up.
  result.then(
    (r) => {
      ahead.endsChain = r.kind === 'page' && r.page.complete;
    },
    () => {},
  );
  chain.ahead = ahead;
}

/**
 * The read ahead started for this page, if it was read from exactly the state this page holds;
 * otherwise it is discarded (aborted and waited for) and the page calls the server itself.
 */
async function takeReadAhead(session: PageSession, cursorId: string, chain?: InlineChain) {
  const ahead = chain?.ahead;
  if (!chain || !ahead) return undefined;
  chain.ahead = undefined;
  const { cursor } = session;
  const matches =
    ahead.forJobId === session.job.jobId &&
    ahead.mailboxId === session.job.mailboxId &&
    ahead.cursorId === cursorId &&
    ahead.generation === cursor.generation &&
    ahead.fromSyncState === cursor.syncState &&
    ahead.source === sourceKey(session);
  if (matches) return ahead;
  await settle(ahead);
  return undefined;
}

/** Discards the chain's read ahead, if any: aborts its call and waits for it to end. */
export async function discardReadAhead(chain: InlineChain | undefined): Promise<void> {
  const ahead = chain?.ahead;
  if (!chain || !ahead) return;
  chain.ahead = undefined;
  await settle(ahead);
}

/** The mailbox read ahead for `job` (its step 1), if the page before it read ahead for it. */
export function mailboxReadAhead(chain: InlineChain | undefined, jobId: string) {
  const ahead = chain?.ahead;
  return ahead?.forJobId === jobId ? ahead.mailbox : undefined;
}

async function settle(ahead: ReadAhead): Promise<void> {
  ahead.abort();
  await ahead.result.catch(() => {});
}

const sourceKey = (session: PageSession) => JSON.stringify(session.mailbox.source ?? null);
