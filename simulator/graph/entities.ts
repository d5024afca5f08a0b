// Graph JSON of folders, messages and contacts, from the same records EWS renders. $select names
// properties of a fixed table per entity; the table index is the bit a token stores, so the
// $select of a round travels inside its links (Graph encodes query options into the token).
import type { FolderRecord, ItemRecord, SimMailbox } from '../mailbox.js';
import type { Person } from '../model.js';
import { graphFolderId, graphItemId } from './ids.js';

export type EntityKind = 'message' | 'contact';

export interface RenderContext {
  mailbox: SimMailbox;
  folderSerial: number;
  immutableIds: boolean;
}

type Getter = (rec: ItemRecord, ctx: RenderContext) => unknown;

const email = (p: Person | undefined) => (p ? { emailAddress: { name: p.name, address: p.email } } : null);
const lower = (s: string) => s.toLowerCase();

// Order matters: the index is the $select bit inside tokens (append only).
const MESSAGE_PROPS: [string, Getter][] = [
  ['createdDateTime', (r) => r.value.props.dateTimeCreated],
  ['lastModifiedDateTime', (r) => r.value.props.lastModifiedTime],
  ['categories', (r) => r.value.props.categories],
  ['receivedDateTime', (r) => r.value.props.dateTimeReceived],
  ['sentDateTime', (r) => r.value.props.dateTimeSent],
  ['hasAttachments', (r) => r.value.props.hasAttachments],
  ['internetMessageId', (r) => r.value.props.internetMessageId ?? null],
  ['subject', (r) => r.value.props.subject],
  // Bodies are not modelled: the preview is empty, as for a message without text.
  ['bodyPreview', () => ''],
  ['importance', (r) => lower(r.value.props.importance)],
  ['parentFolderId', (_r, c) => graphFolderId(c.mailbox, c.folderSerial)],
  ['conversationId', (r) => conversationId(r)],
  ['isRead', (r) => r.value.isRead],
  ['isDraft', (r) => r.value.props.isDraft],
  ['inferenceClassification', () => 'focused'],
  ['sender', (r) => email(r.value.props.from)],
  ['from', (r) => email(r.value.props.from)],
  ['toRecipients', (r) => (r.value.props.toRecipients ?? []).map(email)],
  ['ccRecipients', () => []],
  ['bccRecipients', () => []],
  ['replyTo', () => []],
  ['flag', () => ({ flagStatus: 'notFlagged' })],
];

const CONTACT_PROPS: [string, Getter][] = [
  ['createdDateTime', (r) => r.value.props.dateTimeCreated],
  ['lastModifiedDateTime', (r) => r.value.props.lastModifiedTime],
  ['categories', (r) => r.value.props.categories],
  ['parentFolderId', (_r, c) => graphFolderId(c.mailbox, c.folderSerial)],
  ['displayName', (r) => r.value.props.displayName ?? ''],
  ['givenName', (r) => r.value.props.givenName ?? null],
  ['surname', (r) => r.value.props.surname ?? null],
  ['companyName', (r) => r.value.props.companyName ?? null],
  [
    'emailAddresses',
    (r) =>
      r.value.props.emailAddress
        ? [{ name: r.value.props.displayName ?? '', address: r.value.props.emailAddress }]
        : [],
  ],
  ['businessPhones', (r) => (r.value.props.phone ? [r.value.props.phone] : [])],
  ['mobilePhone', () => null],
  ['fileAs', (r) => r.value.props.displayName ?? ''],
];

const TABLES: Record<EntityKind, [string, Getter][]> = { message: MESSAGE_PROPS, contact: CONTACT_PROPS };

function conversationId(rec: ItemRecord): string {
  const topic = rec.value.props.conversationTopic ?? rec.value.props.subject;
  let h = 0x811c9dc5;
  for (let i = 0; i < topic.length; i++) h = Math.imul(h ^ topic.charCodeAt(i), 0x01000193) >>> 0;
  return `AAQkA${Buffer.from(`conv:${h.toString(16).padStart(8, '0')}`).toString('base64url')}=`;
}

/** A $select naming a property the entity does not have (Graph answers 400 for it). */
export class UnknownPropertyError extends Error {
  override readonly name = 'UnknownPropertyError';
  constructor(
    readonly property: string,
    readonly entity: string,
  ) {
    super(`Could not find a property named '${property}' on type 'microsoft.graph.${entity}'.`);
  }
}

/** The bit mask of a $select list (case-insensitive names; id and changeKey are always sent). */
export function selectMask(kind: EntityKind, select: string | null): number {
  if (select === null || select.trim() === '') return 0;
  const table = TABLES[kind];
  let mask = 0;
  for (const raw of select.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === 'id' || name === 'changekey' || name === '') continue;
    const index = table.findIndex(([p]) => p.toLowerCase() === name);
    if (index < 0) throw new UnknownPropertyError(raw.trim(), kind);
    mask |= 1 << index;
  }
  // Only id/changeKey selected: remember that a $select was given at all (bit 31).
  return (mask | 0x80000000) >>> 0;
}

/** The $select text a mask stands for (for the Location of a 410, which restarts the round). */
export function selectText(kind: EntityKind, mask: number): string | undefined {
  if (mask === 0) return undefined;
  const names = TABLES[kind].filter((_p, i) => (mask & (1 << i)) !== 0).map(([p]) => p);
  return ['id', ...names].join(',');
}

export function renderItem(
  kind: EntityKind,
  rec: ItemRecord,
  ctx: RenderContext,
  mask: number,
): Record<string, unknown> {
  const changeKey = ctx.mailbox.itemChangeKey(ctx.folderSerial, rec);
  const out: Record<string, unknown> = {
    '@odata.type': `#microsoft.graph.${kind}`,
    '@odata.etag': `W/"${changeKey}"`,
  };
  TABLES[kind].forEach(([name, get], i) => {
    if (mask === 0 || (mask & (1 << i)) !== 0) out[name] = get(rec, ctx);
  });
  out.id = graphItemId(ctx.mailbox, ctx.folderSerial, rec, ctx.immutableIds);
  out.changeKey = changeKey;
  return out;
}

export function renderRemoved(
  kind: EntityKind,
  rec: ItemRecord,
  ctx: RenderContext,
): Record<string, unknown> {
  // Items that left by a move are reported as 'changed' about half the time (users see both
  // reasons for moves); a real deletion is always 'deleted'.
  const reason = rec.value.movedOut && rec.serial % 2 === 1 ? 'changed' : 'deleted';
  return {
    '@odata.type': `#microsoft.graph.${kind}`,
    id: graphItemId(ctx.mailbox, ctx.folderSerial, rec, ctx.immutableIds),
    '@removed': { reason },
  };
}

export type FolderFlavour = 'mailFolder' | 'contactFolder';

export function renderFolder(
  mailbox: SimMailbox,
  rec: FolderRecord,
  flavour: FolderFlavour,
): Record<string, unknown> {
  const parent = rec.value.parentSerial;
  const base: Record<string, unknown> = {
    id: graphFolderId(mailbox, rec.serial),
    displayName: rec.value.displayName,
    parentFolderId: parent ? graphFolderId(mailbox, parent) : null,
  };
  if (flavour === 'contactFolder') return base;
  let total = 0;
  let unread = 0;
  for (const item of mailbox.itemJournal(rec.serial)?.live() ?? []) {
    if (item.value.isAssociated) continue;
    total++;
    if (!item.value.isRead) unread++;
  }
  const children = mailbox.liveFolders().filter((f) => f.value.parentSerial === rec.serial).length;
  return {
    ...base,
    childFolderCount: children,
    unreadItemCount: unread,
    totalItemCount: total,
    isHidden: false,
  };
}
