// The wiring the local run shares with the pipeline tests and benchmarks: the handlers loaded
// after the environment is set, their environment for local resources, the mailboxes of a
// simulated organisation, and the comparison of the whole mirror with the simulator's truth.

import { ENV } from '../../infra/resources.js';
import { folderKindOf } from '../../lib/adapters/ews/folder-projection.js';
import { LocalCredentialsResolver } from '../../lib/adapters/secrets/index.js';
import {
  type CoreDeps,
  DEFAULT_FOLDER_FILTER,
  HIERARCHY_CURSOR_ID,
  type Mailbox,
  selectsFolder,
} from '../../lib/core/index.js';
import type { ItemProperty } from '../../lib/core/mirror/item-properties.js';
import { type LocalResources, resourceEnvironment } from '../../local/create-resources.js';
import type { RunningSimulator, Simulator } from '../../simulator/index.js';
import { compareFolder, type FolderComparison, type TruthItem } from './verify.js';

/** Properties mirrored besides id, ChangeKey, ItemClass and IsRead. */
export const MIRRORED_PROPERTIES: ItemProperty[] = ['subject', 'receivedAt', 'size'];
/** The `local:<name>` credentials the simulator's mailboxes are registered with. */
export const LOCAL_CREDENTIALS_NAME = 'simulator';
/** The `local:<name>` credentials of the simulator's Graph app registration. */
export const LOCAL_GRAPH_CREDENTIALS_NAME = 'simulator-graph';

/**
 * The handler modules, imported on demand: their logger and metrics read the environment when
 * they load, so callers set POWERTOOLS_* first.
 */
export async function loadHandlers() {
  const [{ createLocalContainer }, { readHandlerEnv }, { createWorkerHandler }, { createSchedulerHandler }] =
    await Promise.all([
      import('../../local/container.js'),
      import('../../lib/app/env.js'),
      import('../../functions/worker-handler.js'),
      import('../../functions/scheduler-handler.js'),
    ]);
  return { createLocalContainer, readHandlerEnv, createWorkerHandler, createSchedulerHandler };
}

/**
 * The handlers' environment on local resources: every tick syncs every folder. The endpoints in
 * it are for the operator CLI (the dev env file); the handlers' container gets them, with dummy
 * credentials and plain http, from standInSeams (local/container.ts).
 */
export function localHandlerEnvironment(
  resources: LocalResources,
  endpoints: { dynamodb: string; sqs: string },
  options: { leaseMs: number },
): Record<string, string> {
  return {
    ...resourceEnvironment(resources, endpoints),
    [ENV.syncIntervalMinutes]: '0',
    [ENV.leaseMs]: String(options.leaseMs),
  };
}

/** Which protocol the simulator's mailboxes are synced through; `mixed` alternates them. */
export type SimulatorSourceChoice = 'ews' | 'graph' | 'mixed';

export interface SimulatorMailboxOptions {
  pageSize: number;
  maxConcurrentSyncs: number;
  now?: number;
  /** Default `ews`. */
  source?: SimulatorSourceChoice;
}

/** What the wiring needs of a simulator: in-process, or one in another process seen through its admin API. */
export type SimulatorTruth = Pick<Simulator, 'groundTruth' | 'items'> &
  Partial<Pick<Simulator, 'graphMailboxTruth'>>;

type SimulatorEndpoints = Pick<RunningSimulator, 'url'> & Partial<Pick<RunningSimulator, 'graph'>>;

type SimulatorAccounts = Pick<RunningSimulator, 'username' | 'password'> &
  Partial<Pick<RunningSimulator, 'graph'>>;

/** The simulator's credentials, for the container of the local run and the tests. */
export function simulatorCredentials(simulator: SimulatorAccounts): LocalCredentialsResolver {
  const credentials = new LocalCredentialsResolver();
  setSimulatorCredentials(credentials, simulator);
  return credentials;
}

/** Registers the simulator's credentials: `local:simulator` for EWS, `local:simulator-graph` for Graph. */
export function setSimulatorCredentials(
  credentials: LocalCredentialsResolver,
  simulator: SimulatorAccounts,
): void {
  credentials.set(LOCAL_CREDENTIALS_NAME, {
    type: 'basic',
    username: simulator.username,
    password: simulator.password,
  });
  if (simulator.graph === undefined) return;
  const { tenantId, clientId, clientSecret, tokenUrl } = simulator.graph;
  credentials.set(LOCAL_GRAPH_CREDENTIALS_NAME, {
    type: 'oauth2',
    source: 'graph',
    tenantId,
    clientId,
    clientSecret,
    tokenUrl,
  });
}

function sourceFor(
  simulator: SimulatorEndpoints,
  smtp: string,
  graph: boolean,
): Pick<Mailbox, 'source' | 'credentialsRef'> {
  if (!graph) {
    return {
      source: { kind: 'ews', smtpAddress: smtp, endpoint: simulator.url },
      credentialsRef: `local:${LOCAL_CREDENTIALS_NAME}`,
    };
  }
  if (simulator.graph === undefined) throw new Error('this simulator does not serve Graph');
  const { baseUrl, tenantId } = simulator.graph;
  return {
    source: { kind: 'graph', tenantId, userId: smtp, baseUrl },
    credentialsRef: `local:${LOCAL_GRAPH_CREDENTIALS_NAME}`,
  };
}

/** One registry entry per mailbox of the simulated organisation, through EWS, Graph or both. */
export function simulatorMailboxes(
  simulator: SimulatorEndpoints & { sim: Pick<Simulator, 'groundTruth'> },
  options: SimulatorMailboxOptions,
): Mailbox[] {
  const now = options.now ?? Date.now();
  const choice = options.source ?? 'ews';
  return simulator.sim.groundTruth().map(({ smtp }, index) => ({
    mailboxId: smtp.toLowerCase(),
    ...sourceFor(simulator, smtp, choice === 'graph' || (choice === 'mixed' && index % 2 === 1)),
    folderFilter: DEFAULT_FOLDER_FILTER,
    pageSize: options.pageSize,
    properties: MIRRORED_PROPERTIES,
    maxConcurrentSyncs: options.maxConcurrentSyncs,
    status: 'enabled',
    createdAt: now,
    updatedAt: now,
  }));
}

/**
 * Compares every selected folder of the given mailboxes with the mirror, plus every folder the
 * mirror has a cursor for (a folder deleted on the server must have no live items left: those
 * comparisons are marked goneFromServer).
 */
export async function compareMirror(
  deps: Pick<CoreDeps, 'cursors' | 'mirror'>,
  sim: SimulatorTruth,
  mailboxes: readonly Mailbox[],
): Promise<FolderComparison[]> {
  const comparisons: FolderComparison[] = [];
  const truths = sim.groundTruth();
  for (const mailbox of mailboxes) {
    const cursors = await deps.cursors.listByMailbox(mailbox.mailboxId);
    const server = new Map(
      serverFolders(sim, truths, mailbox)
        .filter((folder) => folder.selected)
        .map((folder) => [folder.folderId, folder]),
    );
    const folderIds = new Set([
      ...server.keys(),
      ...cursors.filter((c) => c.folderId !== HIERARCHY_CURSOR_ID).map((c) => c.folderId),
    ]);
    for (const folderId of folderIds) {
      const mirrorItems = await deps.mirror.listLive(mailbox.mailboxId, folderId);
      const folder = server.get(folderId);
      const comparison = compareFolder(mailbox.mailboxId, folderId, folder?.items() ?? [], mirrorItems);
      comparisons.push(folder ? comparison : { ...comparison, goneFromServer: true });
    }
  }
  return comparisons;
}

/** A folder on the server as the mailbox's protocol reports it, and whether its filter selects it. */
export interface ServerFolder {
  mailboxId: string;
  folderId: string;
  displayName: string;
  selected: boolean;
  items(): TruthItem[];
}

/** The server folders the mailboxes' filters left out (not synced, not compared). */
export function leftOutFolders(sim: SimulatorTruth, mailboxes: readonly Mailbox[]): ServerFolder[] {
  const truths = sim.groundTruth();
  return mailboxes.flatMap((mailbox) =>
    serverFolders(sim, truths, mailbox).filter((folder) => !folder.selected),
  );
}

type TruthMailbox = ReturnType<Simulator['groundTruth']>[number];

function serverFolders(
  sim: SimulatorTruth,
  truths: readonly TruthMailbox[],
  mailbox: Mailbox,
): ServerFolder[] {
  const truth = truths.find((m) => m.smtp.toLowerCase() === mailbox.mailboxId);
  if (!truth) throw new Error(`the simulator has no mailbox ${mailbox.mailboxId} to compare with`);
  return mailbox.source.kind === 'graph' ? graphView(sim, truth.smtp, mailbox) : ewsView(sim, truth, mailbox);
}

/** The folders as EWS reports them (the simulator's truth speaks EWS); search folders are never synced. */
function ewsView(sim: SimulatorTruth, truth: TruthMailbox, mailbox: Mailbox): ServerFolder[] {
  // Classes map to kinds as the EWS adapter maps them.
  return truth.folders.map((folder) => ({
    mailboxId: mailbox.mailboxId,
    folderId: folder.id,
    displayName: folder.displayName,
    selected:
      folder.folderType !== 'SearchFolder' &&
      selectsFolder(mailbox.folderFilter, {
        folderKind: folderKindOf(folder.folderClass),
        wellKnownName: folder.distinguishedId,
      }),
    items: () => sim.items(truth.smtp, folder.id),
  }));
}

/**
 * The folders as Graph reports them: mail and contact folders only (calendars, tasks and notes
 * are not synced through Graph), by immutable id.
 */
function graphView(sim: SimulatorTruth, smtp: string, mailbox: Mailbox): ServerFolder[] {
  if (sim.graphMailboxTruth === undefined) throw new Error('this simulator does not serve Graph');
  const truth = sim.graphMailboxTruth(smtp);
  const collections = [
    { folders: truth.mailFolders, kind: 'mail' as const, itemType: 'Message' },
    { folders: truth.contactFolders, kind: 'contacts' as const, itemType: 'Contact' },
  ];
  return collections.flatMap(({ folders, kind, itemType }) =>
    folders.map((folder) => ({
      mailboxId: mailbox.mailboxId,
      folderId: folder.id,
      displayName: folder.displayName,
      selected: selectsFolder(mailbox.folderFilter, {
        folderKind: kind,
        wellKnownName: folder.wellKnownName,
      }),
      items: () =>
        (truth.items[folder.id] ?? []).map((item) => ({
          id: item.immutableId,
          changeKey: item.changeKey,
          itemType,
          isRead: item.isRead,
        })),
    })),
  );
}
