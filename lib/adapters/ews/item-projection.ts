// EWS items onto the canonical projection (lib/core/mirror/item-properties.ts): which FieldURI
// each canonical property is read from, and how its XML text becomes the canonical value.
import type { ItemProperties, ItemProperty, Person } from '../../core/mirror/item-properties.js';
import type { ItemChange } from '../../core/ports.js';
import type { ItemChange as EwsItemChange, EwsItem } from '../../ews/types.js';

type Reader = (item: EwsItem) => unknown;

const text =
  (key: string): Reader =>
  (item) =>
    typeof item[key] === 'string' ? item[key] : undefined;

/** `true`/`false` as EWS writes them (and `1`/`0`, which XML Schema allows). */
export function xmlBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return undefined;
}

const flag =
  (key: string): Reader =>
  (item) =>
    xmlBoolean(item[key]);

/** `<t:From><t:Mailbox><t:Name/><t:EmailAddress/></t:Mailbox></t:From>`. */
function person(value: unknown): Person | undefined {
  const mailbox = (value as { mailbox?: Record<string, unknown> } | undefined)?.mailbox;
  if (typeof mailbox !== 'object' || mailbox === null) return undefined;
  const out: Person = {};
  if (typeof mailbox.name === 'string') out.name = mailbox.name;
  if (typeof mailbox.emailAddress === 'string') out.address = mailbox.emailAddress;
  return out.name === undefined && out.address === undefined ? undefined : out;
}

const asList = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

/** `<t:Categories><t:String>a</t:String>...</t:Categories>`. */
function strings(value: unknown): string[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return asList((value as { string?: unknown }).string).filter((v): v is string => typeof v === 'string');
}

/** `<t:EmailAddresses><t:Entry Key="EmailAddress1">a@b</t:Entry>...`: the texts, in key order. */
function emailEntries(value: unknown): string[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return asList((value as { entry?: unknown }).entry)
    .map((entry) => (typeof entry === 'string' ? entry : (entry as { '#text'?: unknown })?.['#text']))
    .filter((v): v is string => typeof v === 'string' && v !== '');
}

const IMPORTANCE = new Set(['low', 'normal', 'high']);

/** Where each canonical property comes from in EWS, and how its value is read. */
export const EWS_PROPERTY_SOURCES: Record<ItemProperty, { fieldUri: string; read: Reader }> = {
  subject: { fieldUri: 'item:Subject', read: text('subject') },
  from: { fieldUri: 'message:From', read: (item) => person(item.from) },
  receivedAt: { fieldUri: 'item:DateTimeReceived', read: text('dateTimeReceived') },
  sentAt: { fieldUri: 'item:DateTimeSent', read: text('dateTimeSent') },
  createdAt: { fieldUri: 'item:DateTimeCreated', read: text('dateTimeCreated') },
  lastModifiedAt: { fieldUri: 'item:LastModifiedTime', read: text('lastModifiedTime') },
  size: {
    fieldUri: 'item:Size',
    read: (item) => {
      const n = typeof item.size === 'string' ? Number(item.size) : Number.NaN;
      return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
    },
  },
  hasAttachments: { fieldUri: 'item:HasAttachments', read: flag('hasAttachments') },
  importance: {
    fieldUri: 'item:Importance',
    read: (item) => {
      const value = typeof item.importance === 'string' ? item.importance.toLowerCase() : undefined;
      return value !== undefined && IMPORTANCE.has(value) ? value : undefined;
    },
  },
  categories: { fieldUri: 'item:Categories', read: (item) => strings(item.categories) },
  internetMessageId: { fieldUri: 'message:InternetMessageId', read: text('internetMessageId') },
  isDraft: { fieldUri: 'item:IsDraft', read: flag('isDraft') },
  displayName: { fieldUri: 'contacts:DisplayName', read: text('displayName') },
  givenName: { fieldUri: 'contacts:GivenName', read: text('givenName') },
  surname: { fieldUri: 'contacts:Surname', read: text('surname') },
  companyName: { fieldUri: 'contacts:CompanyName', read: text('companyName') },
  emailAddresses: { fieldUri: 'contacts:EmailAddresses', read: (item) => emailEntries(item.emailAddresses) },
};

/** Always requested: the read flag is part of every mirror row. */
export const READ_FLAG_FIELD_URI = 'message:IsRead';

export function fieldUrisFor(properties: readonly ItemProperty[]): string[] {
  return [...properties.map((p) => EWS_PROPERTY_SOURCES[p].fieldUri), READ_FLAG_FIELD_URI];
}

/** The canonical projection of an EWS item: only the mailbox's properties, only values read cleanly. */
export function projectItem(
  item: EwsItem,
  properties: readonly ItemProperty[],
): ItemProperties & { isRead?: boolean } {
  const out: Record<string, unknown> = {};
  for (const property of properties) {
    const value = EWS_PROPERTY_SOURCES[property].read(item);
    if (value !== undefined) out[property] = value;
  }
  const isRead = xmlBoolean(item.isRead);
  if (isRead !== undefined) out.isRead = isRead;
  return out as ItemProperties & { isRead?: boolean };
}

export function toCanonicalChange(change: EwsItemChange, properties: readonly ItemProperty[]): ItemChange {
  if (change.kind !== 'create' && change.kind !== 'update') return change;
  return { ...change, item: projectItem(change.item, properties) };
}
