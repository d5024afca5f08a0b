import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimMailbox } from './mailbox.js';
import { Random } from './random.js';
import { computePage, emptyKnowledge, type SyncKnowledge } from './sync-engine.js';

type Op =
  | { t: 'create'; parent: number }
  | { t: 'rename'; pick: number }
  | { t: 'move'; pick: number; parent: number }
  | { t: 'delete'; pick: number }
  | { t: 'page'; size: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('create' as const), parent: fc.nat() }),
  fc.record({ t: fc.constant('rename' as const), pick: fc.nat() }),
  fc.record({ t: fc.constant('move' as const), pick: fc.nat(), parent: fc.nat() }),
  fc.record({ t: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ t: fc.constant('page' as const), size: fc.integer({ min: 1, max: 6 }) }),
);

describe('hierarchy sync (property)', () => {
  it('follows creates, renames, moves in and out of the synced subtree, and deletes', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(op, { maxLength: 50 }), (subtree, ops) => {
        const mailbox = new SimMailbox(0, 'user1@contoso.test', 'User 1', new Random(1).bytes(16));
        const root = mailbox.createFolder(0, 'Root', '', 'Folder', 'root');
        const top = mailbox.createFolder(root.serial, 'Top', 'IPF.Note', 'Folder', 'msgfolderroot');
        const inbox = mailbox.createFolder(top.serial, 'Inbox', 'IPF.Note', 'Folder', 'inbox');
        for (let i = 0; i < 4; i++)
          mailbox.createFolder(i % 2 ? inbox.serial : top.serial, `F${i}`, 'IPF.Note');
        const syncRoot = subtree ? inbox.serial : top.serial;
        const inScope = (r: { serial: number }) => mailbox.isAncestor(syncRoot, r.serial);
        const client = new Map<number, string>();
        let knowledge: SyncKnowledge = emptyKnowledge();
        const page = (size: number) => {
          const result = computePage(mailbox.folders, knowledge, {
            maxChanges: size,
            newestFirst: false,
            inScope,
          });
          for (const { kind, record } of result.changes) {
            const known = client.get(record.serial);
            if (kind === 'create') expect(known).toBeUndefined();
            else expect(known).toBeDefined();
            if (kind === 'delete') client.delete(record.serial);
            else client.set(record.serial, mailbox.folderChangeKey(record));
          }
          knowledge = result.knowledge;
          return result.includesLast;
        };
        for (const o of ops) {
          const custom = mailbox.liveFolders().filter((f) => !f.value.distinguishedId);
          const parents = mailbox.liveFolders().filter((f) => f.serial !== root.serial);
          const pick = custom.length ? custom[('pick' in o ? o.pick : 0) % custom.length]! : undefined;
          if (o.t === 'create')
            mailbox.createFolder(parents[o.parent % parents.length]!.serial, 'New', 'IPF.Note');
          else if (o.t === 'rename' && pick) mailbox.renameFolder(pick.serial, `${pick.value.displayName}!`);
          else if (o.t === 'delete' && pick) mailbox.deleteFolder(pick.serial);
          else if (o.t === 'move' && pick) {
            const target = parents[o.parent % parents.length]!;
            if (target.serial !== pick.serial && !mailbox.isAncestor(pick.serial, target.serial)) {
              mailbox.moveFolder(pick.serial, target.serial);
            }
          } else if (o.t === 'page') page(o.size);
        }
        while (!page(4));
        const truth = new Map(
          mailbox
            .liveFolders()
            .filter(inScope)
            .map((f) => [f.serial, mailbox.folderChangeKey(f)]),
        );
        expect(client).toEqual(truth);
      }),
      { numRuns: 300 },
    );
  });
});

describe('journal compaction', () => {
  it('drops superseded entries and keeps sync exact', () => {
    const mailbox = new SimMailbox(0, 'user1@contoso.test', 'User 1', new Random(2).bytes(16));
    const folder = mailbox.createFolder(0, 'Root', 'IPF.Note', 'Folder', 'root').serial;
    const props = {
      itemClass: 'IPM.Note',
      subject: 's',
      sensitivity: 'Normal',
      importance: 'Normal',
      dateTimeReceived: '',
      dateTimeSent: '',
      dateTimeCreated: '',
      lastModifiedTime: '',
      size: 1,
      hasAttachments: false,
      categories: [],
      displayTo: '',
      displayCc: '',
      isDraft: false,
    } as const;
    const records = Array.from({ length: 10 }, () =>
      mailbox.createItem(folder, 'Message', { ...props, categories: [] }),
    );
    const start = computePage(mailbox.itemJournal(folder)!, emptyKnowledge(), {
      maxChanges: 4,
      newestFirst: true,
    });
    for (let round = 0; round < 400; round++)
      for (const r of records) mailbox.updateItem(folder, r.serial, () => {});
    const journal = mailbox.itemJournal(folder)!;
    expect(journal.entryCount).toBeLessThan(2100);
    let knowledge = start.knowledge;
    const kinds: string[] = [];
    for (;;) {
      const page = computePage(journal, knowledge, { maxChanges: 3, newestFirst: true });
      kinds.push(...page.changes.map((c) => c.kind));
      knowledge = page.knowledge;
      if (page.includesLast) break;
    }
    expect(kinds.sort()).toEqual([...Array(6).fill('create'), ...Array(4).fill('update')].sort());
  });
});
