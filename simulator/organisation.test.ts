import { describe, expect, it } from 'vitest';
import { ITEM_TYPES } from './model.js';
import { applyRandomMutations } from './mutations.js';
import { Organisation } from './organisation.js';

const options = { seed: 42, mailboxes: 2, foldersPerMailbox: 6, itemsPerMailbox: 400 };

function snapshot(org: Organisation) {
  return org.mailboxes.map((m) => ({
    smtp: m.smtp,
    folders: m.groundTruthFolders(),
    items: m.liveFolders().map((f) => m.groundTruthItems(f.serial, { includeAssociated: true })),
  }));
}

describe('Organisation', () => {
  it('is deterministic from the seed', () => {
    expect(snapshot(Organisation.generate(options))).toEqual(snapshot(Organisation.generate(options)));
    expect(snapshot(Organisation.generate({ ...options, seed: 43 }))).not.toEqual(
      snapshot(Organisation.generate(options)),
    );
  });

  it('has the distinguished folders, a search folder, and items of every type', () => {
    const org = Organisation.generate(options);
    const mailbox = org.mailbox('USER1@contoso.test')!;
    const folders = mailbox.groundTruthFolders();
    for (const id of [
      'root',
      'msgfolderroot',
      'inbox',
      'sentitems',
      'calendar',
      'contacts',
      'tasks',
      'deleteditems',
    ]) {
      expect(
        folders.some((f) => f.distinguishedId === id),
        id,
      ).toBe(true);
    }
    expect(folders.filter((f) => f.folderType === 'SearchFolder')).toHaveLength(1);
    const types = new Set(
      mailbox.liveFolders().flatMap((f) => mailbox.groundTruthItems(f.serial).map((i) => i.itemType)),
    );
    expect([...types].sort()).toEqual([...ITEM_TYPES].sort());
    const total = mailbox.liveFolders().reduce((n, f) => n + mailbox.groundTruthItems(f.serial).length, 0);
    expect(total).toBe(400);
  });

  it('applies seeded random mutations, including moves and folder changes', () => {
    const a = Organisation.generate(options);
    const b = Organisation.generate(options);
    const applied = applyRandomMutations(a, { count: 300, seed: 5 });
    expect(applyRandomMutations(b, { count: 300, seed: 5 })).toEqual(applied);
    expect(applied).toHaveLength(300);
    const kinds = new Set(applied.map((m) => m.kind));
    for (const kind of [
      'createItem',
      'updateItem',
      'markRead',
      'deleteItem',
      'moveItem',
      'createFolder',
      'renameFolder',
    ]) {
      expect(kinds.has(kind as never), kind).toBe(true);
    }
    const move = applied.find((m) => m.kind === 'moveItem')!;
    expect(move.newId).not.toBe(move.itemId);
  });
});
