// Which folders and items Graph shows, and how URL folder segments resolve. One predicate per
// collection is shared by the delta pages (as sync scope) and the ground truth, so the truth is
// exactly what a correct client ends up with.
import type { FolderRecord, ItemRecord, SimMailbox } from '../mailbox.js';
import { parseGraphFolderId } from './ids.js';

export type FolderCollection = 'mailFolders' | 'contactFolders';

/** Well-known names Graph accepts in mailFolders/{name}; those the simulator has resolve. */
const MAIL_WELL_KNOWN = new Set([
  'archive',
  'clutter',
  'conflicts',
  'conversationhistory',
  'deleteditems',
  'drafts',
  'inbox',
  'junkemail',
  'localfailures',
  'msgfolderroot',
  'outbox',
  'recoverableitemsdeletions',
  'scheduled',
  'searchfolders',
  'sentitems',
  'serverfailures',
  'syncissues',
]);

export function rootSerial(mailbox: SimMailbox): number {
  return mailbox.distinguishedSerial('msgfolderroot')!;
}

/**
 * mailFolders: the folders under msgfolderroot that are not calendar, contacts, tasks or search
 * folders (so Notes, a plain folder, is in). Flat: nesting only through parentFolderId.
 * contactFolders: the contacts folders under msgfolderroot.
 */
export function inCollection(mailbox: SimMailbox, collection: FolderCollection, rec: FolderRecord): boolean {
  const type = collection === 'mailFolders' ? 'Folder' : 'ContactsFolder';
  return rec.value.folderType === type && mailbox.isAncestor(rootSerial(mailbox), rec.serial);
}

/** Items a messages delta shows: all but folder-associated items. */
export function isMessage(rec: ItemRecord): boolean {
  return !rec.value.isAssociated;
}

/** Items a contacts delta shows: contacts (Graph v1.0 has no contact groups, so no lists). */
export function isContact(rec: ItemRecord): boolean {
  return !rec.value.isAssociated && rec.value.type === 'Contact';
}

export type ResolvedFolder = { ok: true; serial: number } | { ok: false; code: 'malformed' | 'missing' };

function live(mailbox: SimMailbox, serial: number | undefined): FolderRecord | undefined {
  const rec = serial === undefined ? undefined : mailbox.folder(serial);
  return rec && rec.deletedCn === 0 ? rec : undefined;
}

/** A folder segment of a URL: a well-known name (any case) or a Graph folder id. */
export function resolveFolder(
  mailbox: SimMailbox,
  collection: FolderCollection,
  segment: string,
): ResolvedFolder {
  const name = segment.toLowerCase();
  const wellKnown = collection === 'mailFolders' ? MAIL_WELL_KNOWN.has(name) : name === 'contacts';
  let rec: FolderRecord | undefined;
  if (wellKnown) rec = live(mailbox, mailbox.distinguishedSerial(name));
  else {
    const serial = parseGraphFolderId(mailbox, segment);
    if (serial === undefined) return { ok: false, code: 'malformed' };
    rec = live(mailbox, serial || undefined);
  }
  if (!rec) return { ok: false, code: 'missing' };
  const isRoot = collection === 'mailFolders' && rec.serial === rootSerial(mailbox);
  if (!isRoot && !inCollection(mailbox, collection, rec)) return { ok: false, code: 'missing' };
  return { ok: true, serial: rec.serial };
}

/** Well-known name of a folder as Graph spells it, if it has one. */
export function wellKnownName(rec: FolderRecord): string | undefined {
  const d = rec.value.distinguishedId;
  return d && (MAIL_WELL_KNOWN.has(d) || d === 'contacts') ? d : undefined;
}
