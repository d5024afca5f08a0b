// The wiring the local run shares with the pipeline tests and benchmarks: the handlers loaded
// after the environment is set, their environment for local resources, the mailboxes of a
// simulated organisation, and the comparison of the whole mirror with the simulator's truth.

import { ENV } from '../../infra/resources.js';
import {
  type CoreDeps,
  DEFAULT_FOLDER_FILTER,
  HIERARCHY_CURSOR_ID,
  type Mailbox,
  selectsFolder,
} from '../../lib/core/index.js';
import { folderKindOf } from '../../lib/adapters/ews/folder-projection.js';
import type { ItemProperty } from '../../lib/core/mirror/item-properties.js';
import { type LocalResources, resourceEnvironment } from '../../local/create-resources.js';
import type { RunningSimulator, Simulator } from '../../simulator/index.js';
import { compareFolder, type FolderComparison } from './verify.js';

/** Properties mirrored besides id, ChangeKey, ItemClass and IsRead. */
export const MIRRORED_PROPERTIES: ItemProperty[] = ['subject', 'receivedAt', 'size'];
/** The `local:<name>` credentials the simulator's mailboxes are registered with. */
export const LOCAL_CREDENTIALS_NAME = 'simulator';

/**
 * The handler modules, imported on demand: their logger and metrics read the environment when
 * they load, so callers set POWERTOOLS_* first.
 */
export async function loadHandlers() {
  const [{ createContainer }, { readHandlerEnv }, { createWorkerHandler }, { createSchedulerHandler }] =
    await Promise.all([
      import('../../functions/shared/container.js'),
      import('../../functions/shared/env.js'),
      import('../../functions/worker-handler.js'),
      import('../../functions/scheduler-handler.js'),
    ]);
  return { createContainer, readHandlerEnv, createWorkerHandler, createSchedulerHandler };
}

/** The handlers' environment on local resources: every tick syncs every folder, http allowed. */
export function localHandlerEnvironment(
  resources: LocalResources,
  endpoints: { dynamodb: string; sqs: string },
  options: { leaseMs: number },
): Record<string, string> {
  return {
    ...resourceEnvironment(resources, endpoints),
    [ENV.syncIntervalMinutes]: '0',
    [ENV.leaseMs]: String(options.leaseMs),
    [ENV.allowInsecureHttp]: 'true',
  };
}

export interface SimulatorMailboxOptions {
  pageSize: number;
  maxConcurrentSyncs: number;
  now?: number;
}

/** One registry entry per mailbox of the simulated organisation, reached through its EWS URL. */
/** What the wiring needs of a simulator: in-process, or one in another process seen through its admin API. */
export type SimulatorTruth = Pick<Simulator, 'groundTruth' | 'items'>;

export function simulatorMailboxes(
  simulator: Pick<RunningSimulator, 'url'> & { sim: Pick<Simulator, 'groundTruth'> },
  options: SimulatorMailboxOptions,
): Mailbox[] {
  const now = options.now ?? Date.now();
  return simulator.sim.groundTruth().map(({ smtp }) => ({
    mailboxId: smtp.toLowerCase(),
    source: { kind: 'ews', smtpAddress: smtp, endpoint: simulator.url },
    credentialsRef: `local:${LOCAL_CREDENTIALS_NAME}`,
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
 * mirror has a cursor for (a folder deleted on the server must have no live items left).
 */
export async function compareMirror(
  deps: Pick<CoreDeps, 'cursors' | 'mirror'>,
  sim: SimulatorTruth,
  mailboxes: readonly Mailbox[],
): Promise<FolderComparison[]> {
  const comparisons: FolderComparison[] = [];
  const truths = sim.groundTruth();
  for (const mailbox of mailboxes) {
    const truth = truths.find((m) => m.smtp.toLowerCase() === mailbox.mailboxId);
    if (!truth) throw new Error(`the simulator has no mailbox ${mailbox.mailboxId} to compare with`);
    const cursors = await deps.cursors.listByMailbox(mailbox.mailboxId);
    // The simulator's truth speaks EWS: its classes map to kinds as the EWS adapter maps them.
    const selected = truth.folders.filter(
      (folder) =>
        folder.folderType !== 'SearchFolder' &&
        selectsFolder(mailbox.folderFilter, {
          folderKind: folderKindOf(folder.folderClass),
          wellKnownName: folder.distinguishedId,
        }),
    );
    const selectedIds = new Set(selected.map((f) => f.id));
    const folderIds = new Set([
      ...selectedIds,
      ...cursors.filter((c) => c.folderId !== HIERARCHY_CURSOR_ID).map((c) => c.folderId),
    ]);
    for (const folderId of folderIds) {
      const serverItems = selectedIds.has(folderId) ? sim.items(truth.smtp, folderId) : [];
      const mirrorItems = await deps.mirror.listLive(mailbox.mailboxId, folderId);
      comparisons.push(compareFolder(mailbox.mailboxId, folderId, serverItems, mirrorItems));
    }
  }
  return comparisons;
}
