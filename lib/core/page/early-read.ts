// The mailbox read that the next read ahead needs, started as soon as the current call's answer
// begins to arrive instead of after it is read and parsed (PROTOCOL.md "Reading ahead"). A read
// ahead checks the mailbox's pause right before its call; that read is on a chain's critical
// path once a page: started early, it runs while the answer is read, parsed and projected.
//
// Still "right before the call": a read is used only for a call issued at most EARLY_READ_FRESH_MS
// after the read started (a pause written after the read is missed for no longer than that, as
// a read that takes that long would miss it); an older one is read again. It starts when a page
// waits for the answer; an answer read ahead that arrives while its page still writes would
// wait too long, so its read starts with that page's last write instead (expectAnswer). A run
// whose early reads go stale anyway, a few in a row (answers that take longer to parse than the
// window), stops starting them, so they never become a second read a page.
import type { CoreDeps, InlineChain } from '../deps.js';
import type { Mailbox } from '../model.js';

/** How long after it started an early read may still stand for the read right before a call. */
export const EARLY_READ_FRESH_MS = 20;

/** Stale early reads in a row after which a run starts no more. */
const STALE_READS_TOLERATED = 3;

export interface EarlyRead {
  readonly mailboxId: string;
  readonly startedAt: number;
  readonly read: Promise<Mailbox | undefined>;
}

/**
 * The `onAnswer` hook for a call made within an inline chain: starts the chain's early read of
 * the mailbox (once per answer; a second answer of the same call, after a retry, keeps it).
 */
export function earlyReadOnAnswer(
  deps: CoreDeps,
  chain: InlineChain | undefined,
  mailboxId: string,
): (() => void) | undefined {
  if (!chain || tooStale(chain)) return undefined;
  return () => {
    if (chain.awaitingAnswer) startEarlyRead(deps, chain, mailboxId);
    else chain.answeredUnread = mailboxId;
  };
}

/**
 * A page is about to wait for an answer: its call's, the one read ahead for it, or (from its last
 * write on) the one read ahead for the page after it. An answer that came while nobody waited
 * starts its early read now.
 */
export function expectAnswer(deps: CoreDeps, chain: InlineChain | undefined, mailboxId: string): void {
  if (!chain) return;
  chain.awaitingAnswer = true;
  if (chain.answeredUnread !== mailboxId || tooStale(chain)) return;
  chain.answeredUnread = undefined;
  startEarlyRead(deps, chain, mailboxId);
}

const tooStale = (chain: InlineChain) => (chain.staleEarlyReads ?? 0) >= STALE_READS_TOLERATED;

function startEarlyRead(deps: CoreDeps, chain: InlineChain, mailboxId: string): void {
  const now = deps.clock.now();
  const current = chain.earlyRead;
  if (current?.mailboxId === mailboxId && now - current.startedAt <= EARLY_READ_FRESH_MS) return;
  const read = deps.registry.get(mailboxId);
  // Whoever takes it up sees its failure; until then it is not unhandled.
  read.catch(() => {});
  chain.earlyRead = { mailboxId, startedAt: now, read };
}

/**
 * The mailbox as read right before a call issued now: the chain's early read when it is fresh
 * when it resolves, otherwise a read started now. The early read is taken (used once).
 */
export function mailboxForCall(
  deps: CoreDeps,
  chain: InlineChain | undefined,
  mailboxId: string,
): Promise<Mailbox | undefined> {
  const early = chain?.earlyRead;
  if (!chain || early?.mailboxId !== mailboxId) return deps.registry.get(mailboxId);
  chain.earlyRead = undefined;
  return early.read.then((mailbox) => {
    if (deps.clock.now() - early.startedAt <= EARLY_READ_FRESH_MS) {
      chain.staleEarlyReads = 0;
      return mailbox;
    }
    chain.staleEarlyReads = (chain.staleEarlyReads ?? 0) + 1;
    return deps.registry.get(mailboxId);
  });
}
