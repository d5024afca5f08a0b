// Which mailboxes an operator's request is about, shared by the operator use cases: one named
// mailbox (which must be registered) or every registered one.
import type { Mailbox } from '../model.js';
import type { MailboxRegistry } from '../ports.js';

/** The operator named a mailbox the registry does not hold. */
export class MailboxNotRegisteredError extends Error {
  override readonly name = 'MailboxNotRegisteredError';
  constructor(readonly mailboxId: string) {
    super(`no mailbox ${mailboxId} is registered`);
  }
}

/** One mailbox by id, or every registered mailbox. */
export type MailboxSelection = { kind: 'one'; mailboxId: string } | { kind: 'all' };

/** The address people know a mailbox by: its SMTP address (EWS) or its Graph user. */
export function mailboxAddress(mailbox: Pick<Mailbox, 'source'>): string {
  return mailbox.source.kind === 'ews' ? mailbox.source.smtpAddress : mailbox.source.userId;
}

/** The registered mailbox, or a MailboxNotRegisteredError naming it. */
export async function registeredMailbox(registry: MailboxRegistry, mailboxId: string): Promise<Mailbox> {
  const mailbox = await registry.get(mailboxId);
  if (!mailbox) throw new MailboxNotRegisteredError(mailboxId);
  return mailbox;
}

/** Every registered mailbox across registry pages, in mailbox id order. */
export async function allMailboxes(registry: MailboxRegistry): Promise<Mailbox[]> {
  const mailboxes: Mailbox[] = [];
  let next: string | undefined;
  do {
    const page = await registry.list({ limit: 100, next });
    mailboxes.push(...page.mailboxes);
    next = page.next;
  } while (next !== undefined);
  return mailboxes.sort((a, b) => a.mailboxId.localeCompare(b.mailboxId));
}

export async function selectMailboxes(
  registry: MailboxRegistry,
  selection: MailboxSelection,
): Promise<Mailbox[]> {
  return selection.kind === 'one'
    ? [await registeredMailbox(registry, selection.mailboxId)]
    : allMailboxes(registry);
}
