// The simulated organisation: mailboxes, folders, items, and the ground-truth views tests compare
// against. Internal records live in journals (journal.ts); these are their values.

export const ITEM_TYPES = [
  'Message',
  'CalendarItem',
  'MeetingRequest',
  'Contact',
  'DistributionList',
  'Task',
  'PostItem',
] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

export type FolderType = 'Folder' | 'CalendarFolder' | 'ContactsFolder' | 'TasksFolder' | 'SearchFolder';

export interface Person {
  name: string;
  email: string;
}

/** First-class properties. Type-specific ones are set only for the types that have them. */
export interface ItemProps {
  itemClass: string;
  subject: string;
  sensitivity: 'Normal' | 'Personal' | 'Private' | 'Confidential';
  importance: 'Low' | 'Normal' | 'High';
  /** ISO timestamps without milliseconds, as Exchange writes them. */
  dateTimeReceived: string;
  dateTimeSent: string;
  dateTimeCreated: string;
  lastModifiedTime: string;
  size: number;
  hasAttachments: boolean;
  categories: string[];
  displayTo: string;
  displayCc: string;
  from?: Person;
  toRecipients?: Person[];
  internetMessageId?: string;
  conversationTopic?: string;
  isDraft: boolean;
  // CalendarItem and MeetingRequest
  uid?: string;
  start?: string;
  end?: string;
  location?: string;
  isAllDayEvent?: boolean;
  organizer?: Person;
  // Contact and DistributionList
  displayName?: string;
  givenName?: string;
  surname?: string;
  companyName?: string;
  emailAddress?: string;
  phone?: string;
  memberCount?: number;
  // Task
  status?: 'NotStarted' | 'InProgress' | 'Completed' | 'WaitingOnOthers' | 'Deferred';
  dueDate?: string;
  percentComplete?: number;
}

export interface SimItem {
  type: ItemType;
  props: ItemProps;
  isRead: boolean;
  /** Folder-associated information (FAI): only seen with SyncScope NormalAndAssociatedItems. */
  isAssociated: boolean;
  /** Cached EWS id (ids never change: a move makes a new item). */
  id: string;
  /**
   * Where the item was first created (folder and item serial), kept across moves: the identity
   * behind Graph's immutable ids. Absent until the item is moved (then the record itself is it).
   */
  origin?: { folderSerial: number; serial: number };
  /** Set on the source record of a move (its tombstone), so Graph can say why it left. */
  movedOut?: boolean;
}

export interface SimFolder {
  displayName: string;
  folderClass: string;
  folderType: FolderType;
  distinguishedId?: string;
  /** Serial of the parent folder in the mailbox's folder journal; 0 for the root. */
  parentSerial: number;
  id: string;
}

// ---------------------------------------------------------------------------------------------
// Ground truth (what the admin API and tests see)

export interface GroundTruthFolder {
  id: string;
  changeKey: string;
  distinguishedId?: string;
  parentId?: string;
  displayName: string;
  folderClass: string;
  folderType: FolderType;
  itemCount: number;
  unreadCount: number;
}

export interface GroundTruthItem {
  id: string;
  changeKey: string;
  itemType: ItemType;
  itemClass: string;
  isRead: boolean;
  isAssociated: boolean;
  subject: string;
  dateTimeReceived: string;
  size: number;
  from?: string;
}

export interface GroundTruthMailbox {
  smtp: string;
  folders: GroundTruthFolder[];
}
