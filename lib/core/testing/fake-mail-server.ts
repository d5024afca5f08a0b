// Test fake of MailSource: an in-memory server with EWS's SyncState semantics. A SyncState stands
// for what the client has been told (ICS "idset given" + change numbers seen), so from a given
// SyncState the server reports: items the client never got (create), items modified since
// (update; readFlagChange when only the read flag moved), items it got that are gone (delete).
// An item created and deleted after the SyncState is never reported, exactly like EWS.
import { MailSourceError } from '../errors.js';
import type { FolderKind, Mailbox } from '../model.js';
import type {
  FolderChange,
  FolderPage,
  ItemChange,
  ItemPage,
  MailSource,
  SyncHierarchyRequest,
  SyncItemsRequest,
} from '../ports.js';

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

interface ItemSnapshot {
  contentRev: number;
  readRev: number;
}

type SyncStateData =
  | { kind: 'items'; mailboxId: string; folderId: string; epoch: number; known: Map<string, ItemSnapshot> }
  | { kind: 'hierarchy'; mailboxId: string; known: Map<string, number> };

export type ServerCall =
  | { op: 'syncItems'; mailboxId: string; folderId: string }
  | { op: 'syncHierarchy'; mailboxId: string }
  | { op: 'resolve'; mailboxId: string };

export const changeKeyOf = (item: Pick<ServerItem, 'itemId' | 'rev'>) => `${item.itemId}@${item.rev}`;
/** The change counter inside a ChangeKey: a mirror row must never go back to a smaller one. */
export const revOfChangeKey = (changeKey: string | undefined) => Number(changeKey?.split('@')[1] ?? -1);

export class FakeMailServer implements MailSource {
  readonly mailboxes = new Map<string, Map<string, ServerFolder>>();
  private readonly states = new Map<string, SyncStateData>();
  private nextState = 0;
  private nextId = 0;
  /** Calls in flight per mailbox now, and the most ever seen. */
  readonly inFlight = new Map<string, number>();
  readonly maxInFlight = new Map<string, number>();
  readonly calls: ServerCall[] = [];
  /** Decides a failure for a call (throttling, transient errors, ...). */
  fault?: (call: ServerCall) => MailSourceError | undefined;
  /** Awaited inside each call while it is in flight (lets tests interleave calls). */
  gate?: (call: ServerCall) => Promise<void>;
  /** Page sizes are the mailbox's `pageSize` unless this overrides them. */
  pageSize?: number;
  /** Asks for a periodic resync of every folder after this long (MailSource.resyncAfterMs). */
  resyncAfterMs?: (mailbox: Mailbox) => number | undefined;
  /** The most calls the server accepts at once per mailbox (MailSource.maxConcurrentCalls). */
  maxConcurrentCalls?: (mailbox: Mailbox) => number | undefined;
  /** Report the newest items first, as Exchange does (default: oldest first). */
  newestFirst = false;
  /**
   * Calls in flight per mailbox the server allows; one more is answered with ErrorServerBusy
   * (Exchange's concurrency throttling), with `concurrencyBackoffMs`.
   */
  concurrencyLimit?: number;
  concurrencyBackoffMs = 5_000;

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

  private issue(data: SyncStateData): string {
    const token = `ss${++this.nextState}`;
    this.states.set(token, data);
    return token;
  }

  private async call<T>(
    call: ServerCall,
    signal: AbortSignal | undefined,
    run: () => T,
    onAnswer?: () => void,
  ): Promise<T> {
    // An aborted request never reaches the server (a fetch with an aborted signal is not sent).
    if (signal?.aborted) throw new DOMException('The operation was aborted', 'AbortError');
    this.calls.push(call);
    const n = (this.inFlight.get(call.mailboxId) ?? 0) + 1;
    this.inFlight.set(call.mailboxId, n);
    this.maxInFlight.set(call.mailboxId, Math.max(n, this.maxInFlight.get(call.mailboxId) ?? 0));
    try {
      await this.gate?.(call);
      if (this.concurrencyLimit !== undefined && n > this.concurrencyLimit) {
        throw new MailSourceError('throttled', 'ErrorServerBusy', 'too many concurrent calls', {
          retryAfterMs: this.concurrencyBackoffMs,
        });
      }
      const failure = this.fault?.(call);
      if (failure) throw failure;
      const answer = run();
      // The answer arrives (before the adapter would read and parse it).
      onAnswer?.();
      return answer;
    } finally {
      this.inFlight.set(call.mailboxId, (this.inFlight.get(call.mailboxId) ?? 1) - 1);
    }
  }

  private limit(mailbox: Mailbox): number {
    return this.pageSize ?? mailbox.pageSize;
  }

  syncItems(request: SyncItemsRequest): Promise<ItemPage> {
    const { mailbox, folderId } = request;
    return this.call(
      { op: 'syncItems', mailboxId: mailbox.mailboxId, folderId },
      request.signal,
      () => {
        const folder = this.folders(mailbox.mailboxId).get(folderId);
        if (!folder)
          throw new MailSourceError('folderNotFound', 'ErrorSyncFolderNotFound', 'folder not found');
        let known = new Map<string, ItemSnapshot>();
        if (request.syncState !== undefined) {
          const data = this.states.get(request.syncState);
          if (data?.kind !== 'items' || data.folderId !== folderId || data.epoch !== folder.epoch) {
            throw new MailSourceError('invalidSyncState', 'ErrorInvalidSyncStateData', 'invalid sync state');
          }
          known = new Map(data.known);
        }
        const changes: ItemChange[] = [];
        const max = this.limit(mailbox);
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
        if (this.newestFirst) items.reverse();
        for (const item of items) {
          const seen = known.get(item.itemId);
          const snapshot = { contentRev: item.contentRev, readRev: item.readRev };
          const content = { subject: item.subject, isRead: item.isRead };
          if (!seen) {
            push(
              {
                kind: 'create',
                itemId: item.itemId,
                changeKey: changeKeyOf(item),
                itemType: 'Message',
                item: content,
              },
              () => known.set(item.itemId, snapshot),
            );
          } else if (seen.contentRev !== item.contentRev) {
            push(
              {
                kind: 'update',
                itemId: item.itemId,
                changeKey: changeKeyOf(item),
                itemType: 'Message',
                item: content,
              },
              () => known.set(item.itemId, snapshot),
            );
          } else if (seen.readRev !== item.readRev) {
            push(
              {
                kind: 'readFlagChange',
                itemId: item.itemId,
                changeKey: changeKeyOf(item),
                isRead: item.isRead,
              },
              () => known.set(item.itemId, snapshot),
            );
          }
        }
        const syncState = this.issue({
          kind: 'items',
          mailboxId: mailbox.mailboxId,
          folderId,
          epoch: folder.epoch,
          known,
        });
        return { syncState, more, changes };
      },
      request.onAnswer,
    );
  }

  syncHierarchy(request: SyncHierarchyRequest): Promise<FolderPage> {
    const { mailbox } = request;
    return this.call({ op: 'syncHierarchy', mailboxId: mailbox.mailboxId }, request.signal, () => {
      const folders = this.folders(mailbox.mailboxId);
      let known = new Map<string, number>();
      if (request.syncState !== undefined) {
        const data = this.states.get(request.syncState);
        if (data?.kind !== 'hierarchy' || data.mailboxId !== mailbox.mailboxId) {
          throw new MailSourceError('invalidSyncState', 'ErrorInvalidSyncStateData', 'invalid sync state');
        }
        known = new Map(data.known);
      }
      const changes: FolderChange[] = [];
      const max = this.limit(mailbox);
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
      const syncState = this.issue({ kind: 'hierarchy', mailboxId: mailbox.mailboxId, known });
      return { syncState, more, changes };
    });
  }

  resolveWellKnownFolders(request: {
    mailbox: Mailbox;
    names: string[];
    signal?: AbortSignal;
  }): Promise<Record<string, string>> {
    const { mailbox } = request;
    return this.call({ op: 'resolve', mailboxId: mailbox.mailboxId }, request.signal, () => {
      const result: Record<string, string> = {};
      for (const folder of this.folders(mailbox.mailboxId).values()) {
        if (folder.wellKnownName && request.names.includes(folder.wellKnownName)) {
          result[folder.wellKnownName] = folder.folderId;
        }
      }
      return result;
    });
  }
}
