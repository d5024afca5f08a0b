// Shapes returned by the response parsers. Item and folder properties are keyed by the EWS element
// name in camelCase (`subject`, `isRead`, `dateTimeReceived`, `itemClass`, `from`, ...), with values
// exactly as sent: strings for leaves (entities decoded, whitespace kept), objects for complex
// properties (`from: { mailbox: { name, emailAddress, ... } }`), arrays where an element repeats.

import type { EwsErrorKind } from './errors.js';

export type EwsItem = Record<string, unknown>;

export type ItemChange =
  | {
      kind: 'create' | 'update';
      itemId: string;
      changeKey?: string;
      /** The item element's local name: `Message`, `CalendarItem`, `MeetingRequest`, or one we never saw. */
      itemType: string;
      item: EwsItem;
    }
  | { kind: 'delete'; itemId: string; changeKey?: string }
  | { kind: 'readFlagChange'; itemId: string; changeKey?: string; isRead: boolean };

export interface SyncFolderItemsPage {
  syncState: string;
  includesLastItemInRange: boolean;
  /** Exactly in the order the server sent them. */
  changes: ItemChange[];
}

export interface EwsFolder {
  displayName?: string;
  folderClass?: string;
  /** The Id of the ParentFolderId element. */
  parentFolderId?: string;
  [property: string]: unknown;
}

export type FolderChange =
  | {
      kind: 'create' | 'update';
      folderId: string;
      changeKey?: string;
      /** `Folder`, `CalendarFolder`, `ContactsFolder`, `TasksFolder`, `SearchFolder`, ... */
      folderType: string;
      folder: EwsFolder;
    }
  | { kind: 'delete'; folderId: string; changeKey?: string };

export interface SyncFolderHierarchyPage {
  syncState: string;
  includesLastFolderInRange: boolean;
  changes: FolderChange[];
}

/** A failed response message inside a batch (GetItem, GetFolder, ...). */
export interface ResponseMessageError {
  ok: false;
  /** The inner code when Exchange wrapped one (see `outerCode`), else the ResponseCode. */
  code: string;
  message: string;
  kind: EwsErrorKind;
  /** Set when `code` is an inner code: the ResponseCode that wrapped it (ErrorInternalServerError). */
  outerCode?: string;
  backOffMs?: number;
}

export type GetItemResult =
  | { ok: true; itemId: string; changeKey?: string; itemType: string; item: EwsItem }
  | ResponseMessageError;

export type GetFolderResult =
  | { ok: true; folderId: string; changeKey?: string; folderType: string; folder: EwsFolder }
  | ResponseMessageError;

/** Status of any `*ResponseMessage`, for operations without a dedicated parser. */
export type ResponseMessageStatus =
  | { ok: true; operation: string; code: string }
  | (ResponseMessageError & { operation: string });
