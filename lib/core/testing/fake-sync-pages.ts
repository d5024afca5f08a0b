// The fake mail server's SyncStates and the pages it answers from them. A SyncState stands for
// what the client has been told (ICS "idset given" + change numbers seen), so from a given
// SyncState a page reports: items the client never got (create), items modified since (update;
// readFlagChange when only the read flag moved), items it got that are gone (delete), at most a
// page's worth, with `more` when some are left. Kept apart from the server's contents
// (fake-server-contents.ts), which tests change directly.
import { MailSourceError } from '../errors.js';
import type { FolderChange, ItemChange } from '../ports.js';
import { changeKeyOf, type ServerFolder, type ServerItem } from './fake-server-contents.js';

interface ItemSnapshot {
  contentRev: number;
  readRev: number;
}

export type SyncStateData =
  | { kind: 'items'; mailboxId: string; folderId: string; epoch: number; known: Map<string, ItemSnapshot> }
  | { kind: 'hierarchy'; mailboxId: string; known: Map<string, number> };

const invalidSyncState = () =>
  new MailSourceError('invalidSyncState', 'ErrorInvalidSyncStateData', 'invalid sync state');

/** Every SyncState the server issued, by token: what each one told its client. */
export class IssuedSyncStates {
  private readonly states = new Map<string, SyncStateData>();
  private nextState = 0;

  issue(data: SyncStateData): string {
    const token = `ss${++this.nextState}`;
    this.states.set(token, data);
    return token;
  }

  /** A copy of the folder's items the client knows at `syncState` (none without one). */
  knownItems(syncState: string | undefined, folder: ServerFolder): Map<string, ItemSnapshot> {
    if (syncState === undefined) return new Map();
    const data = this.states.get(syncState);
    if (data?.kind !== 'items' || data.folderId !== folder.folderId || data.epoch !== folder.epoch)
      throw invalidSyncState();
    return new Map(data.known);
  }

  /** A copy of the folders (with their revisions) the client knows at `syncState`. */
  knownFolders(syncState: string | undefined, mailboxId: string): Map<string, number> {
    if (syncState === undefined) return new Map();
    const data = this.states.get(syncState);
    if (data?.kind !== 'hierarchy' || data.mailboxId !== mailboxId) throw invalidSyncState();
    return new Map(data.known);
  }
}

/** What a client that saw `seen` of the item is told about it now; nothing when it is up to date. */
function itemChangeSince(item: ServerItem, seen: ItemSnapshot | undefined): ItemChange | undefined {
  const changeKey = changeKeyOf(item);
  if (!seen || seen.contentRev !== item.contentRev) {
    const content = { subject: item.subject, isRead: item.isRead };
    return {
      kind: seen ? 'update' : 'create',
      itemId: item.itemId,
      changeKey,
      itemType: 'Message',
      item: content,
    };
  }
  if (seen.readRev !== item.readRev)
    return { kind: 'readFlagChange', itemId: item.itemId, changeKey, isRead: item.isRead };
  return undefined;
}

/**
 * The next page of item changes for a client that knows `known`, which it updates to what the
 * page tells (the new SyncState's content): deletes first, then the items in server order.
 */
export function itemChangesSince(
  folder: ServerFolder,
  known: Map<string, ItemSnapshot>,
  max: number,
  newestFirst: boolean,
): { more: boolean; changes: ItemChange[] } {
  const changes: ItemChange[] = [];
  let more = false;
  const push = (change: ItemChange, update: () => void) => {
    if (changes.length >= max) {
      more = true;
      return;
    }
    changes.push(change);
    update();
  };
  for (const [itemId] of [...known]) {
    if (!folder.items.has(itemId)) push({ kind: 'delete', itemId }, () => known.delete(itemId));
  }
  const items = [...folder.items.values()];
  if (newestFirst) items.reverse();
  for (const item of items) {
    const change = itemChangeSince(item, known.get(item.itemId));
    const snapshot = { contentRev: item.contentRev, readRev: item.readRev };
    if (change) push(change, () => known.set(item.itemId, snapshot));
  }
  return { more, changes };
}

/** The next page of folder changes for a client that knows `known`, which it updates likewise. */
export function folderChangesSince(
  folders: Map<string, ServerFolder>,
  known: Map<string, number>,
  max: number,
): { more: boolean; changes: FolderChange[] } {
  const changes: FolderChange[] = [];
  let more = false;
  for (const [folderId] of [...known]) {
    if (folders.has(folderId)) continue;
    if (changes.length >= max) more = true;
    else {
      changes.push({ kind: 'delete', folderId });
      known.delete(folderId);
    }
  }
  for (const folder of folders.values()) {
    const seen = known.get(folder.folderId);
    if (seen === folder.rev) continue;
    if (changes.length >= max) {
      more = true;
      continue;
    }
    changes.push({
      kind: seen === undefined ? 'create' : 'update',
      folderId: folder.folderId,
      ...(folder.virtual ? { virtual: true } : {}),
      folder: {
        displayName: folder.displayName,
        kind: folder.kind,
        parentFolderId: folder.parentFolderId,
      },
    });
    known.set(folder.folderId, folder.rev);
  }
  return { more, changes };
}
