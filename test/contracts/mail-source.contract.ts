// The MailSource contract (lib/core/ports.ts), run over every implementation: the fake server the
// core tests use, EWS against the simulator and Graph against the simulator, both over HTTP.
// Each world says what its server holds in the source's own ids; the contract checks that
// replaying the reported changes, page by page, in order, always rebuilds exactly that, from
// scratch and incrementally, and that failures arrive as the core's error kinds. A new mail
// source is a new world plus a run of this suite.
import { describe, expect, it } from 'vitest';
import { MailSourceError, type MailSourceErrorKind } from '../../lib/core/errors.js';
import type { FolderKind, Mailbox } from '../../lib/core/model.js';
import type { ItemPage, MailSource } from '../../lib/core/ports.js';

export interface ItemFolder {
  folderId: string;
  folderKind: FolderKind;
}

export interface MailSourceWorld {
  source: MailSource;
  mailbox: Mailbox;
  /** Every folder the hierarchy sync must report, by the source's ids. */
  folderIds(): string[];
  /** Folders whose items the source syncs, with what they hold. */
  itemFolders(): ItemFolder[];
  /** Live items of a folder: item id → ChangeKey, as the source names them. */
  items(folderId: string): Map<string, string>;
  /** Creates, updates, re-flags, deletes and moves items (no folder changes). */
  mutateItems(seed: number): void;
  /** Deletes one folder that holds items; returns it as it was. */
  deleteItemFolder(): ItemFolder;
  /** Every SyncState the server gave out for the mailbox is no longer accepted. */
  invalidateSyncStates(folderId: string): void;
  close(): Promise<void>;
}

let requests = 0;
const requestId = () => `contract-${++requests}`;

/** Local copy of a folder rebuilt from pages: item id → ChangeKey. */
type Replica = Map<string, string | undefined>;

function apply(replica: Replica, page: ItemPage): void {
  for (const change of page.changes) {
    if (change.kind === 'delete') replica.delete(change.itemId);
    else replica.set(change.itemId, change.changeKey ?? replica.get(change.itemId));
  }
}

/** Follows `more` to the end; returns the final SyncState. Bounded so a looping source fails. */
async function syncFolder(
  world: MailSourceWorld,
  folder: ItemFolder,
  replica: Replica,
  syncState?: string,
): Promise<string> {
  let state = syncState;
  for (let pages = 0; pages < 500; pages++) {
    // The engine starts work when the answer begins to arrive: told once, before the page.
    let answers = 0;
    const page = await world.source.syncItems({
      mailbox: world.mailbox,
      ...folder,
      syncState: state,
      requestId: requestId(),
      onAnswer: () => answers++,
    });
    expect(answers).toBe(1);
    expect(page.changes.length).toBeLessThanOrEqual(world.mailbox.pageSize);
    apply(replica, page);
    state = page.syncState;
    if (!page.more) return state;
  }
  throw new Error(`folder ${folder.folderId} still reports more after 500 pages`);
}

async function failureKind(call: Promise<unknown>): Promise<MailSourceErrorKind> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(MailSourceError);
    return (error as MailSourceError).kind;
  }
  throw new Error('the call succeeded but was expected to fail');
}

export function mailSourceContract(name: string, makeWorld: () => Promise<MailSourceWorld>): void {
  describe(`MailSource contract: ${name}`, () => {
    const withWorld = (test: (world: MailSourceWorld) => Promise<void>) => async () => {
      const world = await makeWorld();
      try {
        await test(world);
      } finally {
        await world.close();
      }
    };

    it(
      'reports every folder once through the hierarchy, with a kind, then nothing new',
      withWorld(async (world) => {
        const seen = new Map<string, FolderKind | undefined>();
        let state: string | undefined;
        for (let more = true, pages = 0; more; pages++) {
          expect(pages).toBeLessThan(200);
          const page = await world.source.syncHierarchy({
            mailbox: world.mailbox,
            syncState: state,
            requestId: requestId(),
          });
          for (const change of page.changes) {
            if (change.kind === 'delete') seen.delete(change.folderId);
            else seen.set(change.folderId, change.folder.kind ?? seen.get(change.folderId));
          }
          state = page.syncState;
          more = page.more;
        }
        expect([...seen.keys()].sort()).toEqual(world.folderIds().sort());
        for (const folder of world.itemFolders()) expect(seen.get(folder.folderId)).toBe(folder.folderKind);
        // From the final state nothing new arrives (a source may take more than one page to say so).
        for (let more = true, pages = 0; more; pages++) {
          expect(pages).toBeLessThan(10);
          const again = await world.source.syncHierarchy({
            mailbox: world.mailbox,
            syncState: state,
            requestId: requestId(),
          });
          expect(again.changes.filter((c) => c.kind !== 'delete' && !seen.has(c.folderId))).toEqual([]);
          state = again.syncState;
          more = again.more;
        }
      }),
    );

    it(
      'maps the inbox to a folder the hierarchy reports and leaves unknown names out',
      withWorld(async (world) => {
        const resolved = await world.source.resolveWellKnownFolders({
          mailbox: world.mailbox,
          names: ['inbox', 'no-such-folder'],
          requestId: requestId(),
        });
        expect(Object.keys(resolved)).toEqual(['inbox']);
        expect(world.folderIds()).toContain(resolved.inbox);
      }),
    );

    it(
      'rebuilds every folder from scratch in pages no larger than asked, then keeps it equal through changes',
      withWorld(async (world) => {
        const folders = world.itemFolders();
        expect(folders.some((f) => world.items(f.folderId).size > world.mailbox.pageSize)).toBe(true);
        const replicas = new Map<string, Replica>();
        const states = new Map<string, string>();
        for (const folder of folders) {
          const replica: Replica = new Map();
          states.set(folder.folderId, await syncFolder(world, folder, replica));
          expect(replica).toEqual(world.items(folder.folderId));
          replicas.set(folder.folderId, replica);
        }
        for (const seed of [1, 2]) {
          world.mutateItems(seed);
          for (const folder of folders) {
            const replica = replicas.get(folder.folderId)!;
            states.set(
              folder.folderId,
              await syncFolder(world, folder, replica, states.get(folder.folderId)),
            );
            expect(replica, `folder ${folder.folderId} after mutation round ${seed}`).toEqual(
              world.items(folder.folderId),
            );
          }
        }
      }),
    );

    it(
      'rejects a SyncState it no longer accepts as invalidSyncState',
      withWorld(async (world) => {
        const folder = world.itemFolders().find((f) => world.items(f.folderId).size > 0)!;
        const state = await syncFolder(world, folder, new Map());
        world.invalidateSyncStates(folder.folderId);
        const call = world.source.syncItems({
          mailbox: world.mailbox,
          ...folder,
          syncState: state,
          requestId: requestId(),
        });
        expect(await failureKind(call)).toBe('invalidSyncState');
      }),
    );

    it(
      'reports a deleted folder as folderNotFound',
      withWorld(async (world) => {
        const folder = world.deleteItemFolder();
        expect(world.folderIds()).not.toContain(folder.folderId);
        const call = world.source.syncItems({ mailbox: world.mailbox, ...folder, requestId: requestId() });
        expect(await failureKind(call)).toBe('folderNotFound');
      }),
    );
  });
}
