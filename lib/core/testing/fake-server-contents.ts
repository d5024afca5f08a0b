// What the fake mail server holds (mailboxes, folders, items with their change counters) and the
// changes a test makes to it. Kept apart from the MailSource side (fake-mail-server.ts) and the
// SyncState bookkeeping (fake-sync-pages.ts): tests change the contents directly, the engine only
// ever sees them through SyncStates.
import type { FolderKind } from '../model.js';

export interface ServerItem {
  itemId: string;
  /** Bumped by every change; the ChangeKey is derived from it. */
  rev: number;
  contentRev: number;
  readRev: number;
  isRead: boolean;
  subject: string;
}

export interface ServerFolder {
  folderId: string;
  displayName: string;
  kind?: FolderKind;
  /** A search folder: reported, but holds no items of its own. */
  virtual?: boolean;
  parentFolderId: string;
  wellKnownName?: string;
  rev: number;
  items: Map<string, ServerItem>;
  /** SyncStates issued before this epoch are rejected (ErrorInvalidSyncStateData). */
  epoch: number;
}

export const changeKeyOf = (item: Pick<ServerItem, 'itemId' | 'rev'>) => `${item.itemId}@${item.rev}`;
/** The change counter inside a ChangeKey: a mirror row must never go back to a smaller one. */
export const revOfChangeKey = (changeKey: string | undefined) => Number(changeKey?.split('@')[1] ?? -1);

export class FakeServerContents {
  readonly mailboxes = new Map<string, Map<string, ServerFolder>>();
  private nextId = 0;

  addMailbox(mailboxId: string): void {
    this.mailboxes.set(mailboxId, new Map());
  }

  addFolder(mailboxId: string, folder: Partial<ServerFolder> & { displayName: string }): string {
    const folderId = folder.folderId ?? `F${++this.nextId}`;
    this.folders(mailboxId).set(folderId, {
      parentFolderId: 'root',
      kind: 'mail',
      rev: 1,
      epoch: 0,
      ...folder,
      folderId,
      items: new Map(),
    });
    return folderId;
  }

  renameFolder(mailboxId: string, folderId: string, displayName: string): void {
    const folder = this.folder(mailboxId, folderId);
    folder.displayName = displayName;
    folder.rev++;
  }

  deleteFolder(mailboxId: string, folderId: string): void {
    this.folders(mailboxId).delete(folderId);
  }

  createItem(mailboxId: string, folderId: string, subject = 'hello'): string {
    const itemId = `I${++this.nextId}`;
    this.folder(mailboxId, folderId).items.set(itemId, {
      itemId,
      rev: 1,
      contentRev: 1,
      readRev: 0,
      isRead: false,
      subject,
    });
    return itemId;
  }

  updateItem(mailboxId: string, folderId: string, itemId: string, subject: string): void {
    const item = this.item(mailboxId, folderId, itemId);
    item.subject = subject;
    item.rev++;
    item.contentRev = item.rev;
  }

  setRead(mailboxId: string, folderId: string, itemId: string, isRead: boolean): void {
    const item = this.item(mailboxId, folderId, itemId);
    item.isRead = isRead;
    item.rev++;
    item.readRev = item.rev;
  }

  /** Moves an item, keeping its id (as Graph's immutable ids do); the move is a change. */
  moveItem(mailboxId: string, fromFolderId: string, toFolderId: string, itemId: string): void {
    const item = this.item(mailboxId, fromFolderId, itemId);
    const target = this.folder(mailboxId, toFolderId);
    this.folder(mailboxId, fromFolderId).items.delete(itemId);
    item.rev++;
    item.contentRev = item.rev;
    target.items.set(itemId, item);
  }

  deleteItem(mailboxId: string, folderId: string, itemId: string): void {
    this.folder(mailboxId, folderId).items.delete(itemId);
  }

  /** Every SyncState of the folder issued so far becomes invalid. */
  invalidateSyncStates(mailboxId: string, folderId: string): void {
    this.folder(mailboxId, folderId).epoch++;
  }

  folders(mailboxId: string): Map<string, ServerFolder> {
    const folders = this.mailboxes.get(mailboxId);
    if (!folders) throw new Error(`no mailbox ${mailboxId}`);
    return folders;
  }

  folder(mailboxId: string, folderId: string): ServerFolder {
    const folder = this.folders(mailboxId).get(folderId);
    if (!folder) throw new Error(`no folder ${folderId}`);
    return folder;
  }

  private item(mailboxId: string, folderId: string, itemId: string): ServerItem {
    const item = this.folder(mailboxId, folderId).items.get(itemId);
    if (!item) throw new Error(`no item ${itemId}`);
    return item;
  }
}
