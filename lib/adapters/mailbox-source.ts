// The protocol part of a mailbox, for the adapter of that protocol. The router sends each adapter
// only its own mailboxes; a mailbox of another kind here is a wiring mistake, refused by name.
import { MailSourceError } from '../core/errors.js';
import type { Mailbox, MailboxSource, MailSourceKind } from '../core/model.js';

export function sourceOf<K extends MailSourceKind>(
  mailbox: Mailbox,
  kind: K,
): Extract<MailboxSource, { kind: K }> {
  if (mailbox.source.kind !== kind) {
    throw new MailSourceError(
      'permanent',
      'WrongMailSource',
      `mailbox ${mailbox.mailboxId} is not a ${kind} mailbox`,
    );
  }
  return mailbox.source as Extract<MailboxSource, { kind: K }>;
}
