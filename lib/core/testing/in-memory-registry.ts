// Test fake of MailboxRegistry: back-off only moves forward, slots expire.
import type { Mailbox } from '../model.js';
import { DEFAULT_FOLDER_FILTER } from '../model.js';
import type { MailboxPage, MailboxRegistry } from '../ports.js';

interface Slot {
  owner: string;
  until: number;
}

export function testMailbox(mailboxId: string, overrides: Partial<Mailbox> = {}): Mailbox {
  return {
    mailboxId,
    source: { kind: 'ews', smtpAddress: mailboxId, endpoint: 'http://127.0.0.1:1/EWS/Exchange.asmx' },
    credentialsRef: 'local:test',
    folderFilter: DEFAULT_FOLDER_FILTER,
    pageSize: 10,
    properties: [],
    maxConcurrentSyncs: 4,
    status: 'enabled',
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}

export class InMemoryMailboxRegistry implements MailboxRegistry {
  readonly mailboxes = new Map<string, Mailbox>();
  readonly slots = new Map<string, (Slot | undefined)[]>();

  async get(mailboxId: string): Promise<Mailbox | undefined> {
    const m = this.mailboxes.get(mailboxId);
    return m && structuredClone(m);
  }

  async put(mailbox: Mailbox): Promise<void> {
    this.mailboxes.set(mailbox.mailboxId, structuredClone(mailbox));
  }

  /** Removes the mailbox and its slots, as the adapter removes the row and its slot rows. */
  async remove(mailboxId: string): Promise<void> {
    this.mailboxes.delete(mailboxId);
    this.slots.delete(mailboxId);
  }

  async list(options: { limit?: number; next?: string } = {}): Promise<MailboxPage> {
    const ids = [...this.mailboxes.keys()].sort();
    const from = options.next === undefined ? 0 : ids.findIndex((id) => id > options.next!);
    const start = from < 0 ? ids.length : from;
    const slice = ids.slice(start, start + (options.limit ?? 100));
    const page: MailboxPage = { mailboxes: slice.map((id) => structuredClone(this.mailboxes.get(id)!)) };
    if (start + slice.length < ids.length) page.next = slice.at(-1);
    return page;
  }

  async extendBackoff(mailboxId: string, until: number): Promise<void> {
    const m = this.mailboxes.get(mailboxId);
    if (m && (m.backoffUntil ?? 0) < until) m.backoffUntil = until;
  }

  async park(mailboxId: string, reason: string, now: number): Promise<void> {
    const m = this.mailboxes.get(mailboxId);
    if (m) Object.assign(m, { status: 'parked', parkedReason: reason, updatedAt: now });
  }

  async unpark(mailboxId: string, now: number): Promise<void> {
    const m = this.mailboxes.get(mailboxId);
    if (m) Object.assign(m, { status: 'enabled', parkedReason: undefined, updatedAt: now });
  }

  async acquireSlot(
    mailboxId: string,
    max: number,
    owner: string,
    until: number,
    now: number,
    claim?: string,
  ): Promise<number | undefined> {
    const slots = this.slots.get(mailboxId) ?? [];
    this.slots.set(mailboxId, slots);
    const handedOff = claim === undefined ? -1 : slots.findIndex((s) => s?.owner === claim && s.until > now);
    if (handedOff >= 0) {
      slots[handedOff] = { owner, until };
      return handedOff;
    }
    for (let i = 0; i < max; i++) {
      const slot = slots[i];
      if (!slot || slot.until <= now) {
        slots[i] = { owner, until };
        return i;
      }
    }
    return undefined;
  }

  async releaseSlot(mailboxId: string, slot: number, owner: string): Promise<void> {
    const slots = this.slots.get(mailboxId);
    if (slots?.[slot]?.owner === owner) slots[slot] = undefined;
  }

  /** Test helper: slots held by live owners. */
  heldSlots(mailboxId: string, now: number): number {
    return (this.slots.get(mailboxId) ?? []).filter((s) => s && s.until > now).length;
  }
}
