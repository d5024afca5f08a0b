// The MailSource contract over the fake server, EWS against the simulator and Graph against the
// simulator (both over real HTTP with their real clients, credentials and error mapping).

import {
  LOCAL_CREDENTIALS_NAME,
  LOCAL_GRAPH_CREDENTIALS_NAME,
  setSimulatorCredentials,
} from '../../cli/local/pipeline.js';
import { EwsMailSource } from '../../lib/adapters/ews/mail-source.js';
import { GraphMailSource } from '../../lib/adapters/graph/mail-source.js';
import { LocalCredentialsResolver } from '../../lib/adapters/secrets/index.js';
import type { FolderKind, Mailbox } from '../../lib/core/model.js';
import { changeKeyOf, FakeMailServer } from '../../lib/core/testing/fake-mail-server.js';
import { graphFolderId } from '../../simulator/graph/ids.js';
import { type RunningSimulator, type SimMailbox, startSimulator } from '../../simulator/index.js';
import { type ItemFolder, type MailSourceWorld, mailSourceContract } from './mail-source.contract.js';

const PAGE_SIZE = 7;
const NO_FOLDER_CHANGES = { createFolder: 0, renameFolder: 0, moveFolder: 0, deleteFolder: 0 };

function mailbox(smtp: string, source: Mailbox['source'], credentialsRef: string): Mailbox {
  return {
    mailboxId: smtp.toLowerCase(),
    source,
    credentialsRef,
    folderFilter: {},
    pageSize: PAGE_SIZE,
    properties: ['subject'],
    maxConcurrentSyncs: 1,
    status: 'enabled',
    createdAt: 0,
    updatedAt: 0,
  };
}

mailSourceContract('FakeMailServer', async () => {
  const server = new FakeMailServer();
  const smtp = 'fake@example.com';
  server.addMailbox(smtp);
  const inbox = server.addFolder(smtp, { displayName: 'Inbox', wellKnownName: 'inbox' });
  const archive = server.addFolder(smtp, { displayName: 'Archive' });
  const contacts = server.addFolder(smtp, { displayName: 'Contacts', kind: 'contacts' });
  for (let i = 0; i < 30; i++) server.createItem(smtp, i % 3 === 0 ? archive : inbox, `item ${i}`);
  server.createItem(smtp, contacts, 'Ada');
  const live = () => [...server.folders(smtp).values()];
  return {
    source: server,
    mailbox: mailbox(
      smtp,
      { kind: 'ews', endpoint: 'https://fake.invalid/EWS/Exchange.asmx', smtpAddress: smtp },
      'local:fake',
    ),
    folderIds: () => live().map((f) => f.folderId),
    itemFolders: () => live().map((f) => ({ folderId: f.folderId, folderKind: f.kind ?? 'mail' })),
    items: (folderId) =>
      new Map([...server.folder(smtp, folderId).items.values()].map((i) => [i.itemId, changeKeyOf(i)])),
    mutateItems(seed) {
      const inboxItems = [...server.folder(smtp, inbox).items.keys()];
      server.updateItem(smtp, inbox, inboxItems[seed]!, `edited ${seed}`);
      server.setRead(smtp, inbox, inboxItems[seed + 2]!, true);
      server.deleteItem(smtp, inbox, inboxItems[seed + 4]!);
      server.moveItem(smtp, inbox, archive, inboxItems[seed + 6]!);
      server.createItem(smtp, archive, `new ${seed}`);
    },
    deleteItemFolder() {
      server.deleteFolder(smtp, archive);
      return { folderId: archive, folderKind: 'mail' };
    },
    invalidateSyncStates: (folderId) => server.invalidateSyncStates(smtp, folderId),
    close: async () => {},
  } satisfies MailSourceWorld;
});

/** A one-mailbox organisation on the simulator, its credentials and its first mailbox's address. */
async function simulated(seed: number) {
  const simulator = await startSimulator({ seed, mailboxes: 1, foldersPerMailbox: 4, itemsPerMailbox: 120 });
  const credentials = new LocalCredentialsResolver();
  setSimulatorCredentials(credentials, simulator);
  const smtp = simulator.sim.groundTruth()[0]!.smtp;
  return { simulator, credentials, smtp, simMailbox: simulator.sim.mailbox(smtp) };
}

function mutate(simulator: RunningSimulator, smtp: string, seed: number): void {
  simulator.sim.mutate({ count: 25, seed, mailboxes: [smtp], weights: NO_FOLDER_CHANGES });
}

/** Folder classes as Exchange names them, and the neutral kinds they hold. */
const KIND_BY_CLASS: Record<string, FolderKind> = {
  'IPF.Note': 'mail',
  'IPF.Appointment': 'calendar',
  'IPF.Contact': 'contacts',
  'IPF.Task': 'tasks',
  'IPF.StickyNote': 'notes',
};

function deleteCustomMailFolder(simMailbox: SimMailbox) {
  const custom = simMailbox
    .liveFolders()
    .find((f) => !f.value.distinguishedId && f.value.folderClass === 'IPF.Note');
  if (!custom) throw new Error('the simulated mailbox has no custom mail folder to delete');
  simMailbox.deleteFolder(custom.serial);
  return custom;
}

mailSourceContract('EWS against the simulator', async () => {
  const { simulator, credentials, smtp, simMailbox } = await simulated(41);
  // The hierarchy is synced below the message root: the root itself and its siblings are not reported.
  const reported = () => {
    const folders = simulator.sim.groundTruth()[0]!.folders;
    const top = folders.find((f) => f.distinguishedId === 'msgfolderroot')!.id;
    const below = new Set([top]);
    // A generated organisation lists parents before children, so one pass finds every descendant.
    for (const f of folders) if (f.parentId !== undefined && below.has(f.parentId)) below.add(f.id);
    return folders.filter((f) => f.id !== top && below.has(f.id));
  };
  return {
    source: new EwsMailSource(credentials.resolve, { allowInsecureHttp: true }),
    mailbox: mailbox(
      smtp,
      { kind: 'ews', endpoint: simulator.url, smtpAddress: smtp },
      `local:${LOCAL_CREDENTIALS_NAME}`,
    ),
    folderIds: () => reported().map((f) => f.id),
    itemFolders: () =>
      reported()
        .filter((f) => f.folderType !== 'SearchFolder')
        .map((f) => ({ folderId: f.id, folderKind: KIND_BY_CLASS[f.folderClass] ?? 'other' })),
    items: (folderId) => new Map(simulator.sim.items(smtp, folderId).map((i) => [i.id, i.changeKey])),
    mutateItems: (seed) => mutate(simulator, smtp, seed),
    deleteItemFolder: () => ({ folderId: deleteCustomMailFolder(simMailbox).value.id, folderKind: 'mail' }),
    invalidateSyncStates: () => simulator.sim.invalidateSyncStates(smtp),
    close: () => simulator.close(),
  } satisfies MailSourceWorld;
});

mailSourceContract('Graph against the simulator', async () => {
  const { simulator, credentials, smtp, simMailbox } = await simulated(43);
  const { baseUrl, tenantId } = simulator.graph;
  const truth = () => simulator.sim.graphMailboxTruth(smtp);
  const itemFolders = (): ItemFolder[] => [
    ...truth().mailFolders.map((f) => ({ folderId: f.id, folderKind: 'mail' as const })),
    ...truth().contactFolders.map((f) => ({ folderId: f.id, folderKind: 'contacts' as const })),
  ];
  return {
    source: new GraphMailSource(credentials.resolve, { allowInsecureHttp: true }),
    mailbox: mailbox(
      smtp,
      { kind: 'graph', tenantId, userId: smtp, baseUrl },
      `local:${LOCAL_GRAPH_CREDENTIALS_NAME}`,
    ),
    folderIds: () => itemFolders().map((f) => f.folderId),
    itemFolders,
    items: (folderId) => new Map((truth().items[folderId] ?? []).map((i) => [i.immutableId, i.changeKey])),
    mutateItems: (seed) => mutate(simulator, smtp, seed),
    deleteItemFolder: () => ({
      folderId: graphFolderId(simMailbox, deleteCustomMailFolder(simMailbox).serial),
      folderKind: 'mail',
    }),
    invalidateSyncStates: () => simulator.sim.invalidateSyncStates(smtp),
    close: () => simulator.close(),
  } satisfies MailSourceWorld;
});
