// Graph messages and contacts onto the canonical projection (lib/core/mirror/item-properties.ts):
// which Graph field each canonical property is selected as, and how its JSON becomes the value.
import type { ItemProperties, ItemProperty, Person } from '../../core/mirror/item-properties.js';
import type { ItemChange } from '../../core/ports.js';
import type { GraphItemEntry } from '../../graph/types.js';

export type GraphCollection = 'messages' | 'contacts';

type Reader = (props: Record<string, unknown>) => unknown;

const text =
  (field: string): Reader =>
  (props) =>
    typeof props[field] === 'string' ? props[field] : undefined;
const flag =
  (field: string): Reader =>
  (props) =>
    typeof props[field] === 'boolean' ? props[field] : undefined;

/** `{ emailAddress: { name, address } }`, Graph's recipient. */
function person(value: unknown): Person | undefined {
  const address = (value as { emailAddress?: Record<string, unknown> } | undefined)?.emailAddress;
  if (typeof address !== 'object' || address === null) return undefined;
  const out: Person = {};
  if (typeof address.name === 'string') out.name = address.name;
  if (typeof address.address === 'string') out.address = address.address;
  return out.name === undefined && out.address === undefined ? undefined : out;
}

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;

const IMPORTANCE = new Set(['low', 'normal', 'high']);

interface Source {
  field: string;
  read: Reader;
  /** The collections that have the field ($select of an unknown field is a 400). */
  in: readonly GraphCollection[];
}

const MESSAGES: readonly GraphCollection[] = ['messages'];
const CONTACTS: readonly GraphCollection[] = ['contacts'];
const BOTH: readonly GraphCollection[] = ['messages', 'contacts'];

/** Where each canonical property comes from in Graph; `size` has no v1.0 field and is never read. */
export const GRAPH_PROPERTY_SOURCES: Record<ItemProperty, Source | undefined> = {
  subject: { field: 'subject', read: text('subject'), in: MESSAGES },
  from: { field: 'from', read: (p) => person(p.from), in: MESSAGES },
  receivedAt: { field: 'receivedDateTime', read: text('receivedDateTime'), in: MESSAGES },
  sentAt: { field: 'sentDateTime', read: text('sentDateTime'), in: MESSAGES },
  createdAt: { field: 'createdDateTime', read: text('createdDateTime'), in: BOTH },
  lastModifiedAt: { field: 'lastModifiedDateTime', read: text('lastModifiedDateTime'), in: BOTH },
  size: undefined,
  hasAttachments: { field: 'hasAttachments', read: flag('hasAttachments'), in: MESSAGES },
  importance: {
    field: 'importance',
    read: (p) =>
      typeof p.importance === 'string' && IMPORTANCE.has(p.importance) ? p.importance : undefined,
    in: MESSAGES,
  },
  categories: { field: 'categories', read: (p) => strings(p.categories), in: BOTH },
  internetMessageId: { field: 'internetMessageId', read: text('internetMessageId'), in: MESSAGES },
  isDraft: { field: 'isDraft', read: flag('isDraft'), in: MESSAGES },
  displayName: { field: 'displayName', read: text('displayName'), in: CONTACTS },
  givenName: { field: 'givenName', read: text('givenName'), in: CONTACTS },
  surname: { field: 'surname', read: text('surname'), in: CONTACTS },
  companyName: { field: 'companyName', read: text('companyName'), in: CONTACTS },
  emailAddresses: {
    field: 'emailAddresses',
    read: (p) =>
      Array.isArray(p.emailAddresses)
        ? p.emailAddresses.flatMap((entry) => {
            const address = (entry as { address?: unknown } | null)?.address;
            return typeof address === 'string' && address !== '' ? [address] : [];
          })
        : undefined,
    in: CONTACTS,
  },
};

function sourcesFor(properties: readonly ItemProperty[], collection: GraphCollection) {
  return properties.flatMap((property) => {
    const source = GRAPH_PROPERTY_SOURCES[property];
    return source?.in.includes(collection) ? [{ property, source }] : [];
  });
}

/** The `$select` of a delta request: the applicable properties, plus the read flag for messages. */
export function selectFor(properties: readonly ItemProperty[], collection: GraphCollection): string[] {
  const fields = new Set(sourcesFor(properties, collection).map(({ source }) => source.field));
  if (collection === 'messages') fields.add('isRead');
  // changeKey is asked for explicitly: the etag echoes it, but only by observation.
  fields.add('changeKey');
  return [...fields];
}

/** `#microsoft.graph.eventMessage` -> `MeetingRequest`: the canonical item types. */
const ITEM_TYPE_BY_ODATA: Record<string, string> = {
  '#microsoft.graph.message': 'Message',
  '#microsoft.graph.eventMessage': 'MeetingRequest',
  '#microsoft.graph.eventMessageRequest': 'MeetingRequest',
  '#microsoft.graph.eventMessageResponse': 'MeetingRequest',
  '#microsoft.graph.contact': 'Contact',
};

function itemTypeOf(entry: GraphItemEntry, collection: GraphCollection): string {
  if (entry.odataType !== undefined) {
    return ITEM_TYPE_BY_ODATA[entry.odataType] ?? entry.odataType.replace(/^#microsoft\.graph\./, '');
  }
  return collection === 'contacts' ? 'Contact' : 'Message';
}

/**
 * One delta entry as a change. `@removed` (deleted, or moved out: Graph tells them apart only by
 * the reason, and both mean "no longer in this folder") is a delete here; anything else an
 * upsert, since Graph does not say whether the item is new to us (the mirror's writes are
 * idempotent, so a replayed entry changes nothing).
 */
export function toItemChange(
  entry: GraphItemEntry,
  properties: readonly ItemProperty[],
  collection: GraphCollection,
): ItemChange {
  const changeKey = entry.changeKey !== undefined ? { changeKey: entry.changeKey } : {};
  if (entry.removed !== undefined) return { kind: 'delete', itemId: entry.id, ...changeKey };
  const item: Record<string, unknown> = {};
  for (const { property, source } of sourcesFor(properties, collection)) {
    const value = source.read(entry.props);
    if (value !== undefined) item[property] = value;
  }
  if (typeof entry.props.isRead === 'boolean') item.isRead = entry.props.isRead;
  return {
    kind: 'update',
    itemId: entry.id,
    ...changeKey,
    itemType: itemTypeOf(entry, collection),
    item: item as ItemProperties & { isRead?: boolean },
  };
}
