// The mail-source port: one adapter per protocol (EWS, Graph); the port itself is protocol-free.
// A new mail source implements it and passes test/contracts/mail-source.contract.ts.
import type { ItemProperties } from './mirror/item-properties.js';
import type { FolderKind, Mailbox } from './model.js';

export type ItemChange =
  | {
      kind: 'create' | 'update';
      itemId: string;
      changeKey?: string;
      /** Canonical item type (`Message`, `Contact`, ... see mirror/item-properties.ts). */
      itemType: string;
      /** The canonical projection, plus `isRead` when the source reports the read flag. */
      item: ItemProperties & { isRead?: boolean };
    }
  | { kind: 'delete'; itemId: string; changeKey?: string }
  | { kind: 'readFlagChange'; itemId: string; changeKey?: string; isRead: boolean };

export interface ItemPage {
  syncState: string;
  /** More changes wait on the server: the chain continues with this syncState. */
  more: boolean;
  /** In the exact order the server sent them. */
  changes: ItemChange[];
}

export interface FolderInfo {
  displayName?: string;
  /** What the folder holds, mapped by the adapter from its protocol's vocabulary. */
  kind?: FolderKind;
  parentFolderId?: string;
  /** `inbox`, `sentitems`, ... when the source names it so in the same call. */
  wellKnownName?: string;
}

export type FolderChange =
  | {
      kind: 'create' | 'update';
      folderId: string;
      changeKey?: string;
      /**
       * A virtual folder (a search folder): its items live in other folders and would be synced
       * twice, so it gets no cursor.
       */
      virtual?: boolean;
      folder: FolderInfo;
    }
  | { kind: 'delete'; folderId: string; changeKey?: string };

export interface FolderPage {
  syncState: string;
  /** More folder changes wait on the server. */
  more: boolean;
  changes: FolderChange[];
}

export interface SyncItemsRequest {
  mailbox: Mailbox;
  folderId: string;
  /** What the folder holds, as the hierarchy reported it (a source may need it to pick its call). */
  folderKind?: FolderKind;
  syncState?: string;
  /** Correlates the call with logs (client-request-id). */
  requestId: string;
  /** Aborted when the invocation is about to run out of time. */
  signal?: AbortSignal;
  /**
   * Called once when the server's answer starts to arrive, before it is read and parsed: the
   * engine starts then what only needs the answer to have come (page/read-ahead.ts).
   */
  onAnswer?: () => void;
}

export interface SyncHierarchyRequest {
  mailbox: Mailbox;
  syncState?: string;
  requestId: string;
  signal?: AbortSignal;
}

/**
 * Throws MailSourceError (lib/core/errors.ts) for every failure, classified by `kind`.
 * One call = one server round trip; no retries inside (the engine owns retry policy), with one
 * exception: after an auth failure an adapter may re-read rotated credentials and try once more,
 * in the same call (a rotation must not park every mailbox that uses the credentials).
 */
export interface MailSource {
  syncItems(request: SyncItemsRequest): Promise<ItemPage>;
  syncHierarchy(request: SyncHierarchyRequest): Promise<FolderPage>;
  /**
   * Maps well-known folder names (`inbox`, `sentitems`, ...) to the folder ids the hierarchy
   * sync reports. Names the mailbox does not have, or the source does not know, are left out.
   */
  resolveWellKnownFolders(request: {
    mailbox: Mailbox;
    names: string[];
    requestId: string;
    signal?: AbortSignal;
  }): Promise<Record<string, string>>;
  /**
   * How long a folder's incremental state can be trusted. A source whose changes can miss an
   * item for good (Graph with immutable ids loses an item moved A→B→A) returns a period after
   * which each folder is synced again from scratch, with a sweep; undefined or absent: never.
   */
  resyncAfterMs?(mailbox: Mailbox): number | undefined;
  /**
   * The most calls the server accepts at once for this mailbox (Graph: 4 per app and mailbox),
   * whatever the registry row allows; absent: the row decides alone.
   */
  maxConcurrentCalls?(mailbox: Mailbox): number | undefined;
}
