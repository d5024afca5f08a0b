// An independent EWS client (ews-javascript-api) syncs from the simulator over HTTP: the whole
// hierarchy and every folder in small pages, then incrementally after random mutations (moves,
// deletes, folder changes), and must end up equal to the ground truth (ids and ChangeKeys).
import ews from 'ews-javascript-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../simulator/random.js';
import { type RunningSimulator, startSimulator } from '../../simulator/server.js';

interface ClientFolder {
  changeKey: string;
  folderType: string;
  syncState?: string;
  items: Map<string, string>;
}

/** What the client holds for one mailbox: folders (without search folders) and their items. */
class EwsJsMirror {
  readonly folders = new Map<string, ClientFolder>();
  hierarchyState: string | null = null;
  searchFoldersSeen = 0;
  readonly pageSizes = new Random(99);

  constructor(
    readonly service: ews.ExchangeService,
    readonly propertySet: ews.PropertySet,
  ) {}

  async syncHierarchy(): Promise<void> {
    let more = true;
    while (more) {
      const changes = await this.service.SyncFolderHierarchy(
        new ews.FolderId(ews.WellKnownFolderName.MsgFolderRoot),
        ews.PropertySet.FirstClassProperties,
        // The typings say string, the library accepts null for a first sync.
        this.hierarchyState as string,
      );
      for (const change of changes.GetEnumerator()) {
        const id = change.FolderId.UniqueId;
        if (change.ChangeType === ews.ChangeType.Delete) {
          this.folders.delete(id);
          continue;
        }
        if (change.Folder instanceof ews.SearchFolder) {
          this.searchFoldersSeen++;
          continue;
        }
        const known = this.folders.get(id);
        if (change.ChangeType === ews.ChangeType.Create)
          expect(known, 'Create of a known folder').toBeUndefined();
        else expect(known, 'Update of an unknown folder').toBeDefined();
        this.folders.set(id, {
          changeKey: change.FolderId.ChangeKey,
          folderType: change.Folder.constructor.name,
          items: known?.items ?? new Map(),
          ...(known?.syncState ? { syncState: known.syncState } : {}),
        });
      }
      this.hierarchyState = changes.SyncState;
      more = changes.MoreChangesAvailable;
    }
  }

  async syncFolder(id: string): Promise<number> {
    const folder = this.folders.get(id)!;
    let pages = 0;
    let more = true;
    while (more) {
      const changes = await this.service.SyncFolderItems(
        new ews.FolderId(id),
        this.propertySet,
        null as unknown as ews.ItemId[],
        this.pageSizes.between(1, 40),
        ews.SyncFolderItemsScope.NormalItems,
        (folder.syncState ?? null) as string,
      );
      pages++;
      for (const change of changes.GetEnumerator()) {
        const itemId = change.ItemId.UniqueId;
        const known = folder.items.get(itemId);
        switch (change.ChangeType) {
          case ews.ChangeType.Create:
            expect(known, 'Create of a known item').toBeUndefined();
            folder.items.set(itemId, change.ItemId.ChangeKey);
            break;
          case ews.ChangeType.Delete:
            expect(known, 'Delete of an unknown item').toBeDefined();
            folder.items.delete(itemId);
            break;
          default:
            expect(known, 'Update of an unknown item').toBeDefined();
            expect(change.ItemId.ChangeKey, 'a change that repeats the known version').not.toBe(known);
            folder.items.set(itemId, change.ItemId.ChangeKey);
        }
      }
      folder.syncState = changes.SyncState;
      more = changes.MoreChangesAvailable;
    }
    return pages;
  }

  async syncAll(): Promise<number> {
    await this.syncHierarchy();
    let pages = 0;
    for (const id of this.folders.keys()) pages += await this.syncFolder(id);
    return pages;
  }
}

function groundTruth(run: RunningSimulator, smtp: string) {
  const mailbox = run.sim.mailbox(smtp);
  const top = mailbox.distinguishedSerial('msgfolderroot')!;
  const folders = new Map<string, { changeKey: string; items: Map<string, string> }>();
  for (const rec of mailbox.liveFolders()) {
    if (!mailbox.isAncestor(top, rec.serial) || rec.value.folderType === 'SearchFolder') continue;
    const items = new Map(mailbox.groundTruthItems(rec.serial).map((i) => [i.id, i.changeKey]));
    folders.set(rec.value.id, { changeKey: mailbox.folderChangeKey(rec), items });
  }
  return folders;
}

function mirrorView(mirror: EwsJsMirror) {
  return new Map([...mirror.folders].map(([id, f]) => [id, { changeKey: f.changeKey, items: f.items }]));
}

describe('ews-javascript-api against the simulator', () => {
  let run: RunningSimulator;
  const token = 'eyJhbGciOiJub25lIn0.eyJhdWQiOiJzaW0ifQ.c2ln'; // JWT-shaped: ews-javascript-api checks

  beforeAll(async () => {
    run = await startSimulator({
      seed: 2026,
      mailboxes: 2,
      foldersPerMailbox: 8,
      itemsPerMailbox: 300,
      bearerTokens: [token],
    });
  });
  afterAll(() => run.close());

  function service(credentials: ews.ExchangeCredentials, smtp: string) {
    const s = new ews.ExchangeService(ews.ExchangeVersion.Exchange2013_SP1);
    s.Url = new ews.Uri(run.url);
    s.Credentials = credentials;
    s.ImpersonatedUserId = new ews.ImpersonatedUserId(ews.ConnectingIdType.SmtpAddress, smtp);
    return s;
  }

  it('syncs every folder to completion, then incrementally after mutations, equal to the ground truth', async () => {
    const mirrors: [string, EwsJsMirror][] = [
      [
        'user1@contoso.test',
        new EwsJsMirror(
          service(new ews.WebCredentials(run.username, run.password), 'user1@contoso.test'),
          // Full items: ews-javascript-api must understand every item type the simulator writes.
          ews.PropertySet.FirstClassProperties,
        ),
      ],
      [
        'user2@contoso.test',
        new EwsJsMirror(
          service(new ews.OAuthCredentials(token), 'user2@contoso.test'),
          ews.PropertySet.IdOnly,
        ),
      ],
    ];
    for (const [smtp, mirror] of mirrors) {
      const pages = await mirror.syncAll();
      expect(pages).toBeGreaterThan(mirror.folders.size);
      expect(mirror.searchFoldersSeen).toBe(1);
      expect(mirrorView(mirror)).toEqual(groundTruth(run, smtp));
    }

    for (const round of [1, 2]) {
      if (round === 2) {
        // Folder changes for certain, besides whatever the random batch does.
        for (const smtp of ['user1@contoso.test', 'user2@contoso.test']) {
          const mailbox = run.sim.mailbox(smtp);
          const custom = mailbox
            .liveFolders()
            .filter((f) => !f.value.distinguishedId && f.value.folderType !== 'SearchFolder');
          expect(custom.length).toBeGreaterThanOrEqual(3);
          const [moved, renamed, deleted] = custom;
          const target = mailbox.distinguishedSerial(
            mailbox.isAncestor(mailbox.distinguishedSerial('inbox')!, moved!.serial) ? 'archive' : 'inbox',
          )!;
          mailbox.moveFolder(moved!.serial, target);
          mailbox.renameFolder(renamed!.serial, 'Renamed by the test');
          mailbox.deleteFolder(deleted!.serial);
        }
      }
      const applied = run.sim.mutate({ count: 120, seed: round });
      const kinds = new Set(applied.map((m) => m.kind));
      expect(kinds.has('moveItem') && kinds.has('deleteItem') && kinds.has('markRead')).toBe(true);
      for (const [smtp, mirror] of mirrors) {
        await mirror.syncAll();
        expect(mirrorView(mirror), `${smtp} after round ${round}`).toEqual(groundTruth(run, smtp));
      }
    }
    // Folder deletion and moves happened across the rounds, and the mirrors followed them.
    const stats = run.sim.stats.snapshot();
    expect(stats.requests.SyncFolderItems).toBeGreaterThan(50);
    expect(stats.throttled.responseMessage + stats.throttled.fault).toBe(0);
  });
});
