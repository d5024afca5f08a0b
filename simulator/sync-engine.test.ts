import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateItemProps } from './item-factory.js';
import { SimMailbox } from './mailbox.js';
import { Random } from './random.js';
import { computePage, emptyKnowledge, type SyncKnowledge } from './sync-engine.js';
import { SyncStateCodec } from './sync-state.js';

type Action =
  | { t: 'create'; read: boolean }
  | { t: 'update'; pick: number }
  | { t: 'read'; pick: number; value: boolean }
  | { t: 'delete'; pick: number }
  | { t: 'moveOut'; pick: number }
  | { t: 'moveIn'; pick: number }
  | { t: 'fetch'; size: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ t: fc.constant('create' as const), read: fc.boolean() }),
  fc.record({ t: fc.constant('update' as const), pick: fc.nat() }),
  fc.record({ t: fc.constant('read' as const), pick: fc.nat(), value: fc.boolean() }),
  fc.record({ t: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ t: fc.constant('moveOut' as const), pick: fc.nat() }),
  fc.record({ t: fc.constant('moveIn' as const), pick: fc.nat() }),
  fc.record({ t: fc.constant('fetch' as const), size: fc.integer({ min: 1, max: 7 }) }),
);

interface Known {
  changeKey: string;
  isRead: boolean;
}

/** A folder A (synced) and B (source and target of moves), seeded with a few items each. */
function setup(initialA: number, initialB: number) {
  const rng = new Random(7);
  const mailbox = new SimMailbox(0, 'user1@contoso.test', 'User 1', rng.bytes(16));
  const root = mailbox.createFolder(0, 'Root', '', 'Folder', 'root');
  const a = mailbox.createFolder(root.serial, 'A', 'IPF.Note').serial;
  const b = mailbox.createFolder(root.serial, 'B', 'IPF.Note').serial;
  const owner = { name: 'User 1', email: 'user1@contoso.test' };
  const create = (folder: number, isRead: boolean) =>
    mailbox.createItem(folder, 'Message', generateItemProps(rng, 'Message', owner, 'contoso.test', 0), {
      isRead,
    });
  for (let i = 0; i < initialA; i++) create(a, i % 2 === 0);
  for (let i = 0; i < initialB; i++) create(b, true);
  return { mailbox, a, b, create, rng };
}

function liveIn(mailbox: SimMailbox, folder: number) {
  return [...mailbox.itemJournal(folder)!.live()];
}

describe('sync engine (property)', () => {
  it('replaying pages reproduces the folder; nothing lost or reported twice across pages', () => {
    const codec = new SyncStateCodec(Buffer.from('property-key'));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 6 }),
        fc.boolean(),
        fc.array(action, { maxLength: 60 }),
        (initialA, initialB, newestFirst, actions) => {
          const { mailbox, a, b, create, rng } = setup(initialA, initialB);
          const binding = {
            kind: 'items',
            mailboxIndex: 0,
            folderSerial: a,
            scope: 'NormalItems',
            epoch: 0,
          } as const;
          const client = new Map<string, Known>();
          let state: string | undefined;

          const fetchPage = (size: number) => {
            const knowledge: SyncKnowledge = state ? codec.decode(state, binding) : emptyKnowledge();
            const page = computePage(mailbox.itemJournal(a)!, knowledge, { maxChanges: size, newestFirst });
            expect(page.changes.length).toBeLessThanOrEqual(size);
            if (!page.includesLast) expect(page.changes.length).toBe(size);
            for (const change of page.changes) {
              const { id } = change.record.value;
              const known = client.get(id);
              const now: Known = {
                changeKey: mailbox.itemChangeKey(a, change.record),
                isRead: change.record.value.isRead,
              };
              if (change.kind === 'create') {
                expect(known, `Create of ${change.record.serial} the client already has`).toBeUndefined();
                client.set(id, now);
              } else if (change.kind === 'delete') {
                expect(known, `Delete of ${change.record.serial} the client never had`).toBeDefined();
                client.delete(id);
              } else {
                expect(known, `${change.kind} of unknown ${change.record.serial}`).toBeDefined();
                expect(now.changeKey, `${change.kind} repeats a version the client has`).not.toBe(
                  known!.changeKey,
                );
                client.set(id, now);
              }
            }
            state = codec.encode(binding, page.knowledge);
            return page.includesLast;
          };

          for (const act of actions) {
            const live = liveIn(mailbox, a);
            const target = live.length > 0 ? live[('pick' in act ? act.pick : 0) % live.length]! : undefined;
            switch (act.t) {
              case 'create':
                create(a, act.read);
                break;
              case 'update':
                if (target)
                  mailbox.updateItem(a, target.serial, (v) => {
                    v.props.subject += '!';
                    if (rng.chance(0.3)) v.isRead = !v.isRead;
                  });
                break;
              case 'read':
                if (target) mailbox.setRead(a, target.serial, act.value);
                break;
              case 'delete':
                if (target) mailbox.deleteItem(a, target.serial);
                break;
              case 'moveOut':
                if (target) mailbox.moveItem(a, target.serial, b);
                break;
              case 'moveIn': {
                const inB = liveIn(mailbox, b);
                if (inB.length > 0) mailbox.moveItem(b, inB[act.pick % inB.length]!.serial, a);
                break;
              }
              case 'fetch':
                fetchPage(act.size);
                break;
            }
          }
          for (let guard = 0; !fetchPage(3); guard++) expect(guard).toBeLessThan(1000);

          const truth = new Map(
            mailbox
              .groundTruthItems(a)
              .map((item) => [item.id, { changeKey: item.changeKey, isRead: item.isRead }]),
          );
          expect(new Map([...client].sort())).toEqual(new Map([...truth].sort()));
          // Caught up: another page is empty and complete.
          expect(
            computePage(mailbox.itemJournal(a)!, codec.decode(state!, binding), {
              maxChanges: 5,
              newestFirst,
            }).changes,
          ).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('coalesces per item as Exchange does', () => {
    const { mailbox, a, create } = setup(3, 0);
    const journal = mailbox.itemJournal(a)!;
    const first = computePage(journal, emptyKnowledge(), { maxChanges: 10, newestFirst: true });
    expect(first.changes.map((c) => c.kind)).toEqual(['create', 'create', 'create']);
    const [x, y, z] = liveIn(mailbox, a);
    const fresh = create(a, false);
    mailbox.updateItem(a, fresh.serial, (v) => {
      v.props.subject = 'edited';
    }); // create then update = create
    const gone = create(a, false);
    mailbox.deleteItem(a, gone.serial); // create then delete = nothing
    mailbox.updateItem(a, x!.serial, () => {});
    mailbox.deleteItem(a, x!.serial); // update then delete = delete
    mailbox.setRead(a, y!.serial, !y!.value.isRead); // read flag only = ReadFlagChange
    mailbox.setRead(a, z!.serial, !z!.value.isRead);
    mailbox.updateItem(a, z!.serial, () => {}); // read flag and content = Update
    const next = computePage(journal, first.knowledge, { maxChanges: 10, newestFirst: true });
    const kinds = Object.fromEntries(next.changes.map((c) => [c.record.serial, c.kind]));
    expect(kinds).toEqual({
      [fresh.serial]: 'create',
      [x!.serial]: 'delete',
      [y!.serial]: 'readFlagChange',
      [z!.serial]: 'update',
    });
    expect(next.includesLast).toBe(true);
  });

  it('orders newest first or oldest first', () => {
    const { mailbox, a } = setup(4, 0);
    const journal = mailbox.itemJournal(a)!;
    const newest = computePage(journal, emptyKnowledge(), { maxChanges: 4, newestFirst: true });
    const oldest = computePage(journal, emptyKnowledge(), { maxChanges: 4, newestFirst: false });
    expect(newest.changes.map((c) => c.record.serial)).toEqual([4, 3, 2, 1]);
    expect(oldest.changes.map((c) => c.record.serial)).toEqual([1, 2, 3, 4]);
  });

  it('skips ignored items without reporting them later', () => {
    const { mailbox, a } = setup(3, 0);
    const journal = mailbox.itemJournal(a)!;
    const page = computePage(journal, emptyKnowledge(), {
      maxChanges: 10,
      newestFirst: true,
      ignore: new Set([2]),
    });
    expect(page.changes.map((c) => c.record.serial)).toEqual([3, 1]);
    expect(computePage(journal, page.knowledge, { maxChanges: 10, newestFirst: true }).changes).toEqual([]);
  });

  it('leaves out-of-scope records unreported', () => {
    const { mailbox, a } = setup(2, 0);
    mailbox.createItem(a, 'Message', liveIn(mailbox, a)[0]!.value.props, { isAssociated: true });
    const journal = mailbox.itemJournal(a)!;
    const normal = computePage(journal, emptyKnowledge(), {
      maxChanges: 10,
      newestFirst: true,
      inScope: (r) => !r.value.isAssociated,
    });
    expect(normal.changes).toHaveLength(2);
    expect(
      computePage(journal, emptyKnowledge(), { maxChanges: 10, newestFirst: true }).changes,
    ).toHaveLength(3);
  });

  it('keeps a caught-up state small however many items the folder holds', () => {
    const { mailbox, a, create } = setup(0, 0);
    for (let i = 0; i < 5000; i++) create(a, true);
    const live = liveIn(mailbox, a);
    for (let i = 0; i < 20; i++) mailbox.deleteItem(a, live[i * 100]!.serial);
    let knowledge = emptyKnowledge();
    let done = false;
    while (!done) {
      const page = computePage(mailbox.itemJournal(a)!, knowledge, { maxChanges: 512, newestFirst: true });
      knowledge = page.knowledge;
      done = page.includesLast;
    }
    const state = new SyncStateCodec(Buffer.from('k')).encode(
      { kind: 'items', mailboxIndex: 0, folderSerial: a, scope: 'NormalItems', epoch: 0 },
      knowledge,
    );
    expect(knowledge.given.size()).toBe(4980);
    expect(state.length).toBeLessThan(250);
  });
});
