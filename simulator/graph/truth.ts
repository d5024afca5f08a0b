// Ground truth as Graph shows it: the folder lists of mailFolders/delta and contactFolders/delta
// and the items of each folder's delta, with Graph ids (regular and immutable), the EWS id of the
// same object for cross-checks, and the changeKey (the same value as the EWS ChangeKey). A client
// that follows delta to the deltaLink must hold exactly this.
import type { FolderRecord, SimMailbox } from '../mailbox.js';
import { type FolderCollection, inCollection, isContact, isMessage, wellKnownName } from './folders.js';
import { graphFolderId, graphItemId, userObjectId } from './ids.js';

export interface GraphTruthFolder {
  id: string;
  /** The EWS FolderId of the same folder. */
  ewsId: string;
  displayName: string;
  parentFolderId: string | null;
  wellKnownName?: string;
  /** Mail folders only, as mailFolders/delta reports them. */
  childFolderCount?: number;
  unreadItemCount?: number;
  totalItemCount?: number;
}

export interface GraphTruthItem {
  /** Regular id (what delta sends without Prefer: IdType="ImmutableId"); changes on a move. */
  id: string;
  /** Immutable id (with Prefer: IdType="ImmutableId"); survives moves. */
  immutableId: string;
  ewsId: string;
  changeKey: string;
  /** Messages: */
  isRead?: boolean;
  subject?: string;
  receivedDateTime?: string;
  /** Contacts: */
  displayName?: string;
}

export interface GraphTruthMailbox {
  smtp: string;
  /** The user's object id: /users/{userId} works as well as /users/{smtp}. */
  userId: string;
  mailFolders: GraphTruthFolder[];
  contactFolders: GraphTruthFolder[];
}

export interface GraphMailboxTruth extends GraphTruthMailbox {
  /** Items per folder, keyed by Graph folder id, for every folder of both lists. */
  items: Record<string, GraphTruthItem[]>;
}

export function folderTruth(mailbox: SimMailbox, rec: FolderRecord, collection: FolderCollection) {
  const parent = rec.value.parentSerial;
  const name = wellKnownName(rec);
  const out: GraphTruthFolder = {
    id: graphFolderId(mailbox, rec.serial),
    ewsId: rec.value.id,
    displayName: rec.value.displayName,
    parentFolderId: parent ? graphFolderId(mailbox, parent) : null,
    ...(name ? { wellKnownName: name } : {}),
  };
  if (collection === 'mailFolders') {
    const items = [...(mailbox.itemJournal(rec.serial)?.live() ?? [])].filter(isMessage);
    out.childFolderCount = mailbox.liveFolders().filter((f) => f.value.parentSerial === rec.serial).length;
    out.unreadItemCount = items.filter((i) => !i.value.isRead).length;
    out.totalItemCount = items.length;
  }
  return out;
}

export function mailboxTruth(mailbox: SimMailbox): GraphTruthMailbox {
  const folders = mailbox.liveFolders();
  return {
    smtp: mailbox.smtp,
    userId: userObjectId(mailbox),
    mailFolders: folders
      .filter((f) => inCollection(mailbox, 'mailFolders', f))
      .map((f) => folderTruth(mailbox, f, 'mailFolders')),
    contactFolders: folders
      .filter((f) => inCollection(mailbox, 'contactFolders', f))
      .map((f) => folderTruth(mailbox, f, 'contactFolders')),
  };
}

/** The items a delta of this folder (of this collection) converges to. */
export function itemsTruth(mailbox: SimMailbox, folderSerial: number, collection: FolderCollection) {
  const out: GraphTruthItem[] = [];
  const keep = collection === 'mailFolders' ? isMessage : isContact;
  for (const rec of mailbox.itemJournal(folderSerial)?.live() ?? []) {
    if (!keep(rec)) continue;
    const p = rec.value.props;
    out.push({
      id: graphItemId(mailbox, folderSerial, rec, false),
      immutableId: graphItemId(mailbox, folderSerial, rec, true),
      ewsId: rec.value.id,
      changeKey: mailbox.itemChangeKey(folderSerial, rec),
      ...(collection === 'mailFolders'
        ? { isRead: rec.value.isRead, subject: p.subject, receivedDateTime: p.dateTimeReceived }
        : { displayName: p.displayName ?? '' }),
    });
  }
  return out;
}

export function fullMailboxTruth(mailbox: SimMailbox): GraphMailboxTruth {
  const truth = mailboxTruth(mailbox);
  const items: Record<string, GraphTruthItem[]> = {};
  const serialOf = new Map(mailbox.liveFolders().map((f) => [graphFolderId(mailbox, f.serial), f.serial]));
  for (const [list, collection] of [
    [truth.mailFolders, 'mailFolders'],
    [truth.contactFolders, 'contactFolders'],
  ] as const) {
    for (const f of list) items[f.id] = itemsTruth(mailbox, serialOf.get(f.id)!, collection);
  }
  return { ...truth, items };
}
