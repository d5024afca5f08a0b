// Use case: move a mailbox to another mail source (EWS to Graph when Exchange Online blocks EWS).
// Item and folder ids differ between protocols, so the mirror cannot carry over: every folder is
// closed and its items tombstoned (the change feed sees each removal), the hierarchy starts from
// scratch, and the new source's full sync writes the mailbox again under its own ids (the change
// feed sees each creation). Safe while pages run: each folder is stopped, then closed above every
// fence a page could hold, the same path a folder deleted on the server takes (folder-stops.ts).
import type { CoreDeps } from '../deps.js';
import { updateFolderCursor } from '../hierarchy/folder-cursors.js';
import { stopFolder } from '../hierarchy/folder-stops.js';
import { HIERARCHY_CURSOR_ID, type Mailbox, type MailboxSource } from '../model.js';
import { resetCursor } from './reset-folders.js';

/** Why the mailbox cannot move. */
export class MailboxSourceChangeError extends Error {
  override readonly name = 'MailboxSourceChangeError';
  constructor(
    readonly mailboxId: string,
    readonly reason: string,
  ) {
    super(`cannot change the mail source of ${mailboxId}: ${reason}`);
  }
}

export interface SourceChange {
  mailboxId: string;
  source: MailboxSource;
  credentialsRef: string;
}

export interface SourceChangeResult {
  mailbox: Mailbox;
  /** Folders closed, with their items tombstoned. */
  foldersClosed: number;
  itemsTombstoned: number;
}

/** The reason a mailbox is parked while it changes source; resumable by running the change again. */
export const CHANGING_SOURCE_REASON = 'ChangingMailSource';

export async function changeMailboxSource(deps: CoreDeps, change: SourceChange): Promise<SourceChangeResult> {
  const { registry, cursors, mirror, clock } = deps;
  const current = await registry.get(change.mailboxId);
  if (!current) throw new MailboxSourceChangeError(change.mailboxId, 'no such mailbox is registered');
  const resuming = current.status === 'parked' && current.parkedReason?.startsWith(CHANGING_SOURCE_REASON);
  if (current.source.kind === change.source.kind && !resuming) {
    throw new MailboxSourceChangeError(change.mailboxId, `it already syncs through ${change.source.kind}`);
  }
  // Parked first: no new chain starts, and chains under way end at their next page.
  await registry.park(current.mailboxId, `${CHANGING_SOURCE_REASON} to ${change.source.kind}`, clock.now());

  let foldersClosed = 0;
  let itemsTombstoned = 0;
  for (const cursor of await cursors.listByMailbox(current.mailboxId)) {
    if (cursor.folderId === HIERARCHY_CURSOR_ID || cursor.stop?.reason === 'gone') continue;
    const target = { mailboxId: current.mailboxId, folderId: cursor.folderId };
    const stop = { reason: 'gone' as const, code: 'MailSourceChanged' };
    const stopped = await stopFolder({ cursors, mirror }, target, stop, clock.now());
    if (!stopped) continue;
    foldersClosed++;
    itemsTombstoned += stopped.tombstoned;
  }
  // The old source's hierarchy state means nothing to the new one: discover the folders again.
  await updateFolderCursor(cursors, current.mailboxId, HIERARCHY_CURSOR_ID, (c) =>
    resetCursor(c, clock.now()),
  );

  const now = clock.now();
  const { parkedReason: _parked, ...rest } = current;
  const mailbox: Mailbox = {
    ...rest,
    source: change.source,
    credentialsRef: change.credentialsRef,
    status: 'enabled',
    updatedAt: now,
  };
  await registry.put(mailbox);
  return { mailbox, foldersClosed, itemsTombstoned };
}
