// The canonical projection of a mailbox item: the one shape the mirror stores and the change feed
// carries, whichever protocol read the item. Each mail-source adapter maps its own fields (EWS
// property paths and XML text, Graph JSON) onto these names and value types; a property a protocol
// cannot provide is left out, never filled with a guess.

/** Every property a mailbox may ask to mirror, besides the id, changeKey, item type and read flag. */
export const ITEM_PROPERTIES = [
  'subject',
  'from',
  'receivedAt',
  'sentAt',
  'createdAt',
  'lastModifiedAt',
  'size',
  'hasAttachments',
  'importance',
  'categories',
  'internetMessageId',
  'isDraft',
  'displayName',
  'givenName',
  'surname',
  'companyName',
  'emailAddresses',
] as const;

export type ItemProperty = (typeof ITEM_PROPERTIES)[number];

/** A person as an address and an optional display name. */
export interface Person {
  name?: string;
  address?: string;
}

/**
 * The values, by property. Times are ISO 8601 UTC strings as the server sent them (second
 * precision from EWS, may carry fractions from Graph); `importance` is lower case; `size` is the
 * item's size in bytes (EWS only: Graph v1.0 does not expose it).
 */
export interface ItemProperties {
  subject?: string;
  from?: Person;
  receivedAt?: string;
  sentAt?: string;
  createdAt?: string;
  lastModifiedAt?: string;
  size?: number;
  hasAttachments?: boolean;
  importance?: 'low' | 'normal' | 'high';
  categories?: string[];
  internetMessageId?: string;
  isDraft?: boolean;
  displayName?: string;
  givenName?: string;
  surname?: string;
  companyName?: string;
  emailAddresses?: string[];
}

// Fails to compile when the list and the shape disagree.
const _everyPropertyHasAType: [ItemProperty, keyof ItemProperties] extends [
  keyof ItemProperties,
  ItemProperty,
]
  ? true
  : never = true;
void _everyPropertyHasAType;

/** The properties a mailbox mirrors unless it says otherwise. */
export const DEFAULT_ITEM_PROPERTIES: readonly ItemProperty[] = [
  'subject',
  'from',
  'receivedAt',
  'lastModifiedAt',
];

/**
 * Item types in canonical words; an adapter maps its own (`Message`, `#microsoft.graph.contact`).
 * A source's type we do not know is passed through as is.
 */
export const ITEM_TYPES = [
  'Message',
  'CalendarItem',
  'MeetingRequest',
  'Contact',
  'DistributionList',
  'Task',
  'PostItem',
];
