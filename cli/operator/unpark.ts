// How `mailbox unpark` reports what the core's unpark use case did (lib/core/operator/unpark-mailboxes.ts).
import type { UnparkSummary } from '../../lib/core/operator/unpark-mailboxes.js';
import type { CliIo } from './io.js';
import { printTable } from './render.js';

/** For people: one line for `--smtp`; a table of what was unparked and a count for `--all`. */
export function printUnparkSummary(io: CliIo, summary: UnparkSummary): void {
  if (summary.target !== undefined) {
    const address = summary.target.smtpAddress;
    const was = summary.mailboxes[0]?.parkedReason ?? 'no reason recorded';
    io.out(summary.unparked === 0 ? `${address} is not parked.\n` : `Unparked ${address} (was: ${was}).\n`);
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
