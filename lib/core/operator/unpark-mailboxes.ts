// Use case: enable parked mailboxes again: one, or (after an outage or a credential rotation
// parked many) every parked mailbox, or those parked for a reason containing a text. Each mailbox
// is read again right before its unpark, so one parked meanwhile for another reason (or already
// unparked) is left alone; the read and the write are not atomic (the registry port has no
// conditional unpark), a window of milliseconds in which the worst case is a mailbox resumed that
// the next failing page parks again. Unparked mailboxes resume at the next tick (or sync-now).
import type { Mailbox } from '../model.js';
import type { MailboxRegistry } from '../ports.js';
import { allMailboxes, mailboxAddress, registeredMailbox } from './mailboxes.js';

/** Unparks in flight at once: a bulk unpark of thousands should take seconds, not minutes. */
const CONCURRENCY = 8;

/** A reason filter that matches every parked mailbox by accident (blank) is refused. */
export class UnparkReasonFilterError extends Error {
  override readonly name = 'UnparkReasonFilterError';
  constructor(readonly reason: string) {
    super('the parked-reason filter must not be blank: it would match every parked mailbox');
  }
}

/** One mailbox, or every parked one (those whose parked reason contains `reason`, any case). */
export type UnparkTarget = { kind: 'one'; mailboxId: string } | { kind: 'all'; reason?: string };

export interface UnparkedMailbox {
  mailboxId: string;
  smtpAddress: string;
  parkedReason: string | null;
}

export interface UnparkFailure {
  mailboxId: string;
  error: string;
}

export interface UnparkSummary {
  /** The reason filter, or null for every parked mailbox. */
  reason: string | null;
  /** Parked mailboxes whose reason matched when listed. */
  matched: number;
  unparked: number;
  /** Left alone: no longer parked, or parked for another reason, when read again. */
  skipped: number;
  mailboxes: UnparkedMailbox[];
  /** Mailboxes whose unpark failed; the others went on (a partial result, not an exception). */
  failures: UnparkFailure[];
  /** With one mailbox asked for: which, parked or not. */
  target?: { mailboxId: string; smtpAddress: string };
}

/** Parked, and (with a reason) parked for a reason containing it, ignoring case. */
export function parkedFor(mailbox: Mailbox, reason: string | undefined): boolean {
  if (mailbox.status !== 'parked') return false;
  if (reason === undefined) return true;
  return (mailbox.parkedReason ?? '').toLowerCase().includes(reason.toLowerCase());
}

/**
 * Unparks the target's parked mailboxes. Throws MailboxNotRegisteredError for an unknown single
 * mailbox and UnparkReasonFilterError for a blank filter; a failure to unpark one of many is
 * reported in `failures` once the others are done.
 */
export async function unparkMailboxes(
  deps: { registry: MailboxRegistry },
  target: UnparkTarget,
  now: number,
): Promise<UnparkSummary> {
  const reason = target.kind === 'all' ? target.reason : undefined;
  if (reason !== undefined && reason.trim() === '') throw new UnparkReasonFilterError(reason);
  const listed =
    target.kind === 'one'
      ? [await registeredMailbox(deps.registry, target.mailboxId)]
      : await allMailboxes(deps.registry);
  const summary = await unparkMatching(deps.registry, listed, reason, now);
  if (target.kind === 'one') {
    summary.target = { mailboxId: listed[0]!.mailboxId, smtpAddress: mailboxAddress(listed[0]!) };
  }
  return summary;
}

async function unparkMatching(
  registry: MailboxRegistry,
  mailboxes: readonly Mailbox[],
  reason: string | undefined,
  now: number,
): Promise<UnparkSummary> {
  const matched = mailboxes.filter((m) => parkedFor(m, reason));
  const summary: UnparkSummary = {
    reason: reason ?? null,
    matched: matched.length,
    unparked: 0,
    skipped: 0,
    mailboxes: [],
    failures: [],
  };
  let next = 0;
  const worker = async () => {
    while (next < matched.length) {
      const listed = matched[next++]!;
      try {
        const current = await registry.get(listed.mailboxId);
        if (current === undefined || !parkedFor(current, reason)) {
          summary.skipped++;
          continue;
        }
        await registry.unpark(current.mailboxId, now);
        summary.unparked++;
        summary.mailboxes.push({
          mailboxId: current.mailboxId,
          smtpAddress: mailboxAddress(current),
          parkedReason: current.parkedReason ?? null,
        });
      } catch (error) {
        // One failure (throttling, a network blip) must not hide how far the others got.
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        summary.failures.push({ mailboxId: listed.mailboxId, error: message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, matched.length) }, worker));
  summary.mailboxes.sort((a, b) => a.mailboxId.localeCompare(b.mailboxId));
  summary.failures.sort((a, b) => a.mailboxId.localeCompare(b.mailboxId));
  return summary;
}
