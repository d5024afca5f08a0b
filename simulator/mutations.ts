// Random mutation batches, deterministic from a seed: what users do to their mailboxes between
// syncs. Each applied mutation is reported so tests and the admin API can say what happened.
import { editItemProps, generateItemProps } from './item-factory.js';
import type { SimMailbox } from './mailbox.js';
import type { ItemType } from './model.js';
import { folderTypeFor, itemTypesFor, type Organisation } from './organisation.js';
import { Random } from './random.js';

export type MutationKind =
  | 'createItem'
  | 'updateItem'
  | 'markRead'
  | 'markUnread'
  | 'deleteItem'
  | 'moveItem'
  | 'createFolder'
  | 'renameFolder'
  | 'moveFolder'
  | 'deleteFolder';

export interface AppliedMutation {
  kind: MutationKind;
  mailbox: string;
  folderId: string;
  itemId?: string;
  /** Target folder of a move. */
  targetFolderId?: string;
  /** The new id of a moved or created item or folder. */
  newId?: string;
}

export interface MutationOptions {
  count: number;
  seed: number;
  /** Limit to these mailboxes (smtp); all by default. */
  mailboxes?: string[];
  /** Relative weights; kinds left out keep their default weight, 0 disables one. */
  weights?: Partial<Record<MutationKind, number>>;
}

const DEFAULT_WEIGHTS: Record<MutationKind, number> = {
  createItem: 20,
  updateItem: 18,
  markRead: 10,
  markUnread: 6,
  deleteItem: 14,
  moveItem: 14,
  createFolder: 3,
  renameFolder: 3,
  moveFolder: 2,
  deleteFolder: 1,
};

/** Folders users put items in: live, not the root, not search folders, with a class. */
function itemFolders(mailbox: SimMailbox) {
  return mailbox
    .liveFolders()
    .filter(
      (f) =>
        f.value.folderType !== 'SearchFolder' &&
        f.value.folderClass !== '' &&
        f.value.distinguishedId !== 'msgfolderroot',
    );
}

function customFolders(mailbox: SimMailbox) {
  return itemFolders(mailbox).filter((f) => !f.value.distinguishedId);
}

export function applyRandomMutations(org: Organisation, options: MutationOptions): AppliedMutation[] {
  const rng = new Random(options.seed);
  const weights = { ...DEFAULT_WEIGHTS, ...options.weights };
  const targets = options.mailboxes
    ? options.mailboxes.map((smtp) => org.mailbox(smtp)).filter((m) => m !== undefined)
    : org.mailboxes;
  const applied: AppliedMutation[] = [];
  if (targets.length === 0) return applied;
  // Some kinds are impossible at times (no custom folder to rename); retry a few rolls.
  for (let n = 0, attempts = 0; n < options.count && attempts < options.count * 20; attempts++) {
    const mailbox = rng.pick(targets);
    const done = applyOne(org, mailbox, rng.weighted(weights), rng);
    if (done) {
      applied.push(done);
      n++;
    }
  }
  return applied;
}

function applyOne(
  org: Organisation,
  mailbox: SimMailbox,
  kind: MutationKind,
  rng: Random,
): AppliedMutation | undefined {
  const now = org.tick();
  const smtp = mailbox.smtp;
  const folders = itemFolders(mailbox);
  if (kind === 'createItem') {
    const folder = rng.pick(folders);
    const type = rng.weighted(itemTypesFor(folder.value.folderClass) as Record<ItemType, number>);
    const props = generateItemProps(rng, type, org.owner(mailbox), org.domain, now);
    const rec = mailbox.createItem(folder.serial, type, props, { isRead: rng.chance(0.3) });
    return { kind, mailbox: smtp, folderId: folder.value.id, newId: rec.value.id };
  }
  if (kind === 'createFolder') {
    const parent = rng.pick([mailbox.liveFolder(mailbox.distinguishedSerial('msgfolderroot')!), ...folders]);
    const folderClass = rng.chance(0.85) ? 'IPF.Note' : 'IPF.Task';
    const rec = mailbox.createFolder(
      parent.serial,
      `Folder ${rng.between(100, 9999)}`,
      folderClass,
      folderTypeFor(folderClass),
    );
    return { kind, mailbox: smtp, folderId: parent.value.id, newId: rec.value.id };
  }
  if (kind === 'renameFolder' || kind === 'moveFolder' || kind === 'deleteFolder') {
    const custom = customFolders(mailbox);
    if (custom.length === 0) return undefined;
    const folder = rng.pick(custom);
    if (kind === 'renameFolder') {
      mailbox.renameFolder(
        folder.serial,
        `${folder.value.displayName.replace(/ \(renamed.*$/, '')} (renamed ${now % 997})`,
      );
      return { kind, mailbox: smtp, folderId: folder.value.id };
    }
    if (kind === 'deleteFolder') {
      mailbox.deleteFolder(folder.serial);
      return { kind, mailbox: smtp, folderId: folder.value.id };
    }
    const parents = folders.filter(
      (f) =>
        f.serial !== folder.serial &&
        f.serial !== folder.value.parentSerial &&
        !mailbox.isAncestor(folder.serial, f.serial),
    );
    if (parents.length === 0) return undefined;
    const parent = rng.pick(parents);
    mailbox.moveFolder(folder.serial, parent.serial);
    return { kind, mailbox: smtp, folderId: folder.value.id, targetFolderId: parent.value.id };
  }
  // Item mutations: pick a folder with items.
  const withItems = folders.filter((f) => mailbox.itemJournal(f.serial)!.liveCount() > 0);
  if (withItems.length === 0) return undefined;
  const folder = rng.pick(withItems);
  const journal = mailbox.itemJournal(folder.serial)!;
  const item = journal.liveAt(rng.int(journal.liveCount()))!;
  // Users do not touch folder-associated items; a roll that lands on one is simply retried.
  if (item.value.isAssociated) return undefined;
  const base = { kind, mailbox: smtp, folderId: folder.value.id, itemId: item.value.id };
  switch (kind) {
    case 'updateItem':
      mailbox.updateItem(folder.serial, item.serial, (value) => {
        editItemProps(rng, value.props, now);
        if (rng.chance(0.2)) value.isRead = !value.isRead;
      });
      return base;
    case 'markRead':
    case 'markUnread': {
      const isRead = kind === 'markRead';
      if (item.value.isRead === isRead) return undefined;
      mailbox.setRead(folder.serial, item.serial, isRead);
      return base;
    }
    case 'deleteItem':
      mailbox.deleteItem(folder.serial, item.serial);
      return base;
    case 'moveItem': {
      const sameClass = folders.filter(
        (f) => f.serial !== folder.serial && f.value.folderClass === folder.value.folderClass,
      );
      if (sameClass.length === 0) return undefined;
      const target = rng.pick(sameClass);
      const moved = mailbox.moveItem(folder.serial, item.serial, target.serial);
      return { ...base, targetFolderId: target.value.id, newId: moved.value.id };
    }
    default:
      return undefined;
  }
}
