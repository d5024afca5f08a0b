// The domain model of the sync engine. Protocol-free: nothing here knows about EWS, DynamoDB or SQS
// (a mailbox's source names its protocol; only that protocol's adapter reads what is inside).
import type { ItemProperties, ItemProperty } from './mirror/item-properties.js';

/**
 * Where a mailbox's mail comes from, and the protocol that reads it. Only the source's adapter
 * reads the fields beside `kind`; the engine treats every source alike.
 */
export type MailboxSource =
  | {
      /** Exchange Web Services: Exchange Server on premises (and Exchange Online until April 2027). */
      kind: 'ews';
      /** EWS endpoint, e.g. https://mail.contoso.com/EWS/Exchange.asmx */
      endpoint: string;
      /** The SMTP address to impersonate (ExchangeImpersonation) and anchor on (X-AnchorMailbox). */
      smtpAddress: string;
    }
  | {
      /** Microsoft Graph delta queries: Exchange Online. */
      kind: 'graph';
      /** The Entra tenant (id or domain); must match the tenant of the credentials. */
      tenantId: string;
      /** The user whose mailbox is read: user principal name, SMTP address or object id. */
      userId: string;
      /** Graph base URL, e.g. https://graph.microsoft.com/v1.0 (another one only for a stand-in). */
      baseUrl: string;
    };

export type MailSourceKind = MailboxSource['kind'];
export const MAIL_SOURCE_KINDS = ['ews', 'graph'] as const satisfies readonly MailSourceKind[];

/** A mailbox as registered by an operator. Stored in the mailbox registry. */
export interface Mailbox {
  /** Stable key: the lower-cased SMTP address (EWS) or user id (Graph). */
  mailboxId: string;
  source: MailboxSource;
  /**
   * Where the credentials live: a Secrets Manager secret name in AWS (must start with the
   * project's prefix), or `local:<name>` for the local run. Never the credentials themselves.
   */
  credentialsRef: string;
  folderFilter: FolderFilter;
  /** Changes asked for per page (EWS MaxChangesReturned, Graph odata.maxpagesize), 1..512. */
  pageSize: number;
  /** Mirrored properties besides the id shape, by canonical name (mirror/item-properties.ts). */
  properties: ItemProperty[];
  /** At most this many sync calls in flight for this mailbox across all workers (default 4). */
  maxConcurrentSyncs: number;
  status: 'enabled' | 'parked';
  /** Why the mailbox is parked (permanent error or operator action). */
  parkedReason?: string;
  /** Epoch ms before which no worker may call the server for this mailbox (shared back-off). */
  backoffUntil?: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * What a folder holds, in words every source maps its own vocabulary to (EWS folder classes,
 * Graph's mailFolders / contactFolders). `other` is anything else (journals, conversation history).
 */
export const FOLDER_KINDS = ['mail', 'calendar', 'contacts', 'tasks', 'notes', 'other'] as const;
export type FolderKind = (typeof FOLDER_KINDS)[number];

/** Which folders get item sync. A folder matches if its well-known name OR its kind matches. */
export interface FolderFilter {
  /** Well-known folder names, e.g. `inbox`, `sentitems` (the names EWS and Graph share). */
  wellKnownNames?: string[];
  kinds?: FolderKind[];
}

export const DEFAULT_FOLDER_FILTER: FolderFilter = {
  kinds: ['mail', 'calendar', 'contacts', 'tasks'],
};

export type CursorKind = 'folder' | 'hierarchy';

/**
 * The page's state: idle (caught up, waits for the next tick) or syncing (a chain of pages is
 * under way). A folder that no page may sync (gone, excluded) says so in its `stop`, a folder fact.
 */
export type CursorStatus = 'idle' | 'syncing';

/**
 * Why no page may run on a folder: gone (deleted on the server, or its mailbox moved to another
 * source) or excluded (the filter does not select it). Written by the hierarchy (or an operator,
 * or the page that found the folder missing) without moving the page's version; every write of
 * a page holder is conditional on the row having no stop, so a stop ends a page in flight.
 */
export interface FolderStop {
  reason: 'gone' | 'excluded';
  /** What stopped it: FolderDeleted, ExcludedByFilter, MailSourceChanged, a source's error code. */
  code: string;
  at: number;
  /**
   * The version the folder was closed at in the mirror (its items tombstoned, and no page at or
   * below it can make a row live). Absent while the close is pending (a crash between the stop
   * and the close): the next hierarchy completion closes it.
   */
  closedAtVersion?: number;
}

export interface Lease {
  owner: string;
  /** The job that holds the lease: a redelivery of the same job may take over an expired lease. */
  jobId: string;
  /** Epoch ms. Must outlive any worker invocation so an expired lease means a dead holder. */
  until: number;
}

/** One row per folder, and one per mailbox hierarchy (folderId = HIERARCHY_CURSOR_ID). */
export interface Cursor {
  mailboxId: string;
  folderId: string;
  kind: CursorKind;
  /** Opaque SyncState from the server; absent before the first page and after a reset. */
  syncState?: string;
  /**
   * Fencing token and row revision. Every write of the row moves it forward (a store refuses a
   * write that does not), so a write conditional on the version pins exactly the row its writer
   * read. Items written by a page carry the version of the lease that wrote them (its fence).
   */
  version: number;
  /** Bumped on invalid sync state: a full resync stamps items with it, then older ones are swept. */
  generation: number;
  /** True while a resync of `generation` runs; the sweep happens when its chain completes. */
  resyncPending?: boolean;
  lease?: Lease;
  status: CursorStatus;
  /** The job whose page produced the current syncState (lets a redelivery re-send the follow-up). */
  doneJobId?: string;
  /** The follow-up job id promised by the last advance, while status is `syncing`. */
  nextJobId?: string;
  // Folder facts (FOLDER_FACT_FIELDS): written by the hierarchy, never by a page's writes, and
  // without moving `version` (they have their own revision, `factsRevision`).
  displayName?: string;
  folderKind?: FolderKind;
  /** The folder's well-known name (`inbox`, ...), when it has one. */
  wellKnownName?: string;
  parentFolderId?: string;
  /** Gone or excluded: no page runs, and the advance of a page in flight fails. */
  stop?: FolderStop;
  /**
   * Revision of the folder facts: every facts write moves it and is conditional on the one its
   * writer read (what `version` is to the page's fields). Absent: never written since creation.
   */
  factsRevision?: number;
  /**
   * When a sync was last asked for from outside a chain (a push notification). Written alone,
   * conditional on nothing but the row existing: neither revision moves, so a chain in flight
   * is not disturbed. No page write names it.
   */
  syncRequestedAt?: number;
  pages: number;
  changesApplied: number;
  lastError?: { code: string; message: string; at: number };
  /** Pages in a row that brought no change yet claimed more (reset by any other page). */
  emptyPages?: number;
  /** Why a chain was stopped (a stop of the folder says why in `stop.code`). */
  statusReason?: string;
  lastSyncedAt?: number;
  /**
   * When the folder is next synced from scratch (a resync with sweep), for a source whose
   * incremental changes can miss an item for good (MailSource.resyncAfterMs); absent otherwise.
   */
  resyncDueAt?: number;
  updatedAt: number;
}

export const HIERARCHY_CURSOR_ID = '#hierarchy';

/**
 * Every optional field of a cursor. A cursor write stores exactly the new cursor, so a store must
 * remove each of these that the new cursor leaves out, whatever the writer read (the DynamoDB
 * adapter's REMOVE clause is built from this list). The type below fails to compile when a new
 * optional field is added to Cursor and not here.
 */
export const OPTIONAL_CURSOR_FIELDS = [
  'syncState',
  'resyncPending',
  'lease',
  'doneJobId',
  'nextJobId',
  'displayName',
  'folderKind',
  'wellKnownName',
  'parentFolderId',
  'stop',
  'factsRevision',
  'syncRequestedAt',
  'lastError',
  'emptyPages',
  'statusReason',
  'lastSyncedAt',
  'resyncDueAt',
] as const satisfies readonly (keyof Cursor)[];

type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
type UnlistedOptionalField = Exclude<OptionalKeys<Cursor>, (typeof OPTIONAL_CURSOR_FIELDS)[number]>;
/** Compile-time check: `never` when every optional field of Cursor is listed above. */
export const EVERY_OPTIONAL_CURSOR_FIELD_LISTED: [UnlistedOptionalField] extends [never] ? true : never =
  true;

/**
 * The folder facts: what the hierarchy knows about a folder. A facts write (CursorStore.writeFacts)
 * names exactly these (and moves `factsRevision`); a page's write (CursorStore.replace) names
 * none of them, so the hierarchy and the page holder never overwrite each other.
 */
export const FOLDER_FACT_FIELDS = [
  'displayName',
  'folderKind',
  'wellKnownName',
  'parentFolderId',
  'stop',
] as const satisfies readonly (keyof Cursor)[];
export type FolderFactField = (typeof FOLDER_FACT_FIELDS)[number];

/** Fields no page write names: the facts, their revision, and the push's request. */
const NOT_PAGE_FIELDS: ReadonlySet<string> = new Set([
  ...FOLDER_FACT_FIELDS,
  'factsRevision',
  'syncRequestedAt',
]);

/** Whether a page's write (CursorStore.replace) names this field. */
export const isPageField = (field: string): boolean => !NOT_PAGE_FIELDS.has(field);

/** Gone or excluded: no page runs on it. */
export const isStopped = (cursor: Cursor): boolean => cursor.stop !== undefined;

/** What an operator sees: the stop's reason, or the page's status. */
export type FolderState = CursorStatus | FolderStop['reason'];
export const folderState = (cursor: Cursor): FolderState => cursor.stop?.reason ?? cursor.status;

/** The mirror copy of one mailbox item. */
export interface MirrorItem {
  mailboxId: string;
  folderId: string;
  itemId: string;
  changeKey?: string;
  itemType: string;
  isRead?: boolean;
  /** Mirrored properties in the canonical projection (mirror/item-properties.ts), any source. */
  props: ItemProperties;
  /** Cursor version (lease fence) of the page that wrote this row. */
  pageVersion: number;
  generation: number;
  /** A tombstone: the item was deleted; kept (with a TTL) so late writes cannot resurrect it. */
  deleted: boolean;
  updatedAt: number;
}
