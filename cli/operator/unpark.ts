// `mailbox unpark --all [--reason <text>]`: after an outage or a credential rotation parked many
// mailboxes, enable them again in one go. Each mailbox is read again right before its unpark, so
// one parked meanwhile for another reason (or already unparked) is left alone; the read and the
// write are not atomic (the registry port has no conditional unpark), a window of milliseconds
// in which the worst case is a mailbox resumed that the next failing page parks again.
import type { Mailbox, MailboxRegistry } from '../../lib/core/index.js';
import type { CliIo } from './io.js';
import { printTable } from './render.js';
import { mailboxAddress } from './mailbox-input.js';

/** Unparks in flight at once: a bulk unpark of thousands should take seconds, not minutes. */
const CONCURRENCY = 8;

export interface UnparkFailure {
  mailboxId: string;
  error: string;
}

export interface UnparkSummary {
  /** The --reason filter, or null for every parked mailbox. */
  reason: string | null;
  /** Parked mailboxes whose reason matched when listed. */
  matched: number;
  unparked: number;
  /** Left alone: no longer parked, or parked for another reason, when read again. */
  skipped: number;
  mailboxes: { mailboxId: string; smtpAddress: string; parkedReason: string | null }[];
  failures: UnparkFailure[];
}

/** Parked, and (with a reason) parked for a reason containing it, ignoring case. */
export function parkedFor(mailbox: Mailbox, reason: string | undefined): boolean {
  if (mailbox.status !== 'parked') return false;
  if (reason === undefined) return true;
  return (mailbox.parkedReason ?? '').toLowerCase().includes(reason.toLowerCase());
}

export async function unparkMatching(
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
  return summary;
}

/** For people: one line for `--smtp`; a table of what was unparked and a count for `--all`. */
export function printUnparkSummary(io: CliIo, summary: UnparkSummary, one: Mailbox | undefined): void {
  if (one !== undefined) {
    const was = summary.mailboxes[0]?.parkedReason ?? 'no reason recorded';
    io.out(
      summary.unparked === 0
        ? `${mailboxAddress(one)} is not parked.\n`
        : `Unparked ${mailboxAddress(one)} (was: ${was}).\n`,
    );
    return;
  }
  const which = summary.reason === null ? 'parked' : `parked for "${summary.reason}"`;
  if (summary.matched === 0) {
    io.out(`No mailboxes are ${which}.\n`);
    return;
  }
  if (summary.mailboxes.length > 0) {
    printTable(
      io,
      ['Mailbox', 'Was parked for'],
      summary.mailboxes.map((m) => [m.smtpAddress, m.parkedReason ?? '-']),
    );
  }
  const skipped = summary.skipped > 0 ? `, ${summary.skipped} changed meanwhile and left alone` : '';
  io.out(
    `Unparked ${summary.unparked} of ${summary.matched} mailbox(es) ${which}${skipped}. ` +
      'They resume at the next tick; to start now: exchange-sync sync-now --all\n',
  );
}
