// Use case: one page of folder changes for a mailbox. Applies folder creations, renames and
// deletions to the folder cursors; when the hierarchy is complete, reconciles every folder with
// the filter and starts a chain for each folder that is due or stuck.
import type { CoreDeps, PageContext } from '../deps.js';
import type { HierarchyJob } from '../jobs/builders.js';
import { mapWithConcurrency } from '../map-with-concurrency.js';
import { type Cursor, HIERARCHY_CURSOR_ID, type Mailbox } from '../model.js';
import type { PageOutcome } from '../outcome.js';
import {
  baseOutcome,
  type FetchedPage,
  fetchedPage,
  type OutcomeDetails,
  type PageApplier,
  type PageSession,
  parkMailbox,
  runLeasedPage,
  slotsOf,
  toPageError,
} from '../page/index.js';
import { pauseMailbox } from '../page/throttle.js';
import type { FolderChange, FolderPage } from '../ports.js';
import { leaseIsLive, needsChain } from '../schedule/due.js';
import { planLanes } from '../schedule/lanes.js';
import {
  closeFolderAtNextVersion,
  newFolderCursor,
  newHierarchyCursor,
  statusUnderFilter,
  updateFolderCursor,
  withFilterStatus,
} from './folder-cursors.js';
import { effectiveFilter } from './folder-filter.js';

type FetchedFolders = FetchedPage & { page: FolderPage };

/** Folder cursor writes of one hierarchy page in flight at once (each its own row). */
const FOLDER_WRITES_IN_FLIGHT = 16;

async function applyFolderChange(session: PageSession, change: FolderChange): Promise<void> {
  const { cursors, mirror } = session.deps;
  const { mailboxId, folderFilter } = session.mailbox;
  const { now } = session;
  if (change.kind === 'delete') {
    await updateFolderCursor(cursors, mailboxId, change.folderId, async (c) => {
      if (c.status === 'gone') return undefined;
      // Close and tombstone first, then mark it gone (closeFolderAtNextVersion says why).
      await closeFolderAtNextVersion(mirror, c, now);
      return { ...c, status: 'gone', statusReason: 'FolderDeleted', nextJobId: undefined, updatedAt: now };
    });
    return;
  }
  // Search folders hold items of other folders: they get no cursor at all.
  if (change.virtual) return;
  const facts: Partial<Cursor> = {
    displayName: change.folder.displayName,
    folderKind: change.folder.kind,
    parentFolderId: change.folder.parentFolderId,
  };
  if (change.folder.wellKnownName !== undefined) facts.wellKnownName = change.folder.wellKnownName;
  const fresh = newFolderCursor(mailboxId, change.folderId, now, facts);
  if (await cursors.create({ ...fresh, status: statusUnderFilter(fresh, folderFilter) })) return;
  await updateFolderCursor(cursors, mailboxId, change.folderId, (c) => {
    if (c.status === 'gone') return revived(c, facts, folderFilter, now);
    const merged: Cursor = {
      ...c,
      displayName: facts.displayName ?? c.displayName,
      folderKind: facts.folderKind ?? c.folderKind,
      parentFolderId: facts.parentFolderId ?? c.parentFolderId,
      wellKnownName: facts.wellKnownName ?? c.wellKnownName,
    };
    const status = statusUnderFilter(merged, folderFilter);
    const same =
      merged.displayName === c.displayName &&
      merged.folderKind === c.folderKind &&
      merged.parentFolderId === c.parentFolderId &&
      merged.wellKnownName === c.wellKnownName &&
      status === c.status;
    return same ? undefined : withFilterStatus(mirror, merged, status, now);
  });
}

/**
 * The server reports a folder whose cursor says gone: it exists after all (a page's folder-not-
 * found the server took back, or a folder id that a change of mail source reused). Its items
 * were tombstoned and the folder closed at the version of the gone write, so it starts over as a
 * resync of a new generation, whose pages write above that close.
 */
function revived(gone: Cursor, facts: Partial<Cursor>, filter: Mailbox['folderFilter'], now: number): Cursor {
  const cursor: Cursor = {
    ...gone,
    ...facts,
    syncState: undefined,
    generation: gone.generation + 1,
    resyncPending: true,
    lease: undefined,
    doneJobId: undefined,
    nextJobId: undefined,
    statusReason: undefined,
    lastError: undefined,
    emptyPages: undefined,
    status: 'idle',
    updatedAt: now,
  };
  // An excluded folder keeps no SyncState and waits for the filter to include it again.
  const status = statusUnderFilter(cursor, filter);
  return status === 'excluded'
    ? { ...cursor, status, statusReason: 'ExcludedByFilter', resyncPending: undefined }
    : cursor;
}

/** Maps filter names (`inbox`, ...) to folders once; names the mailbox lacks are asked again next time. */
async function resolveWellKnown(
  session: PageSession,
  folders: Cursor[],
): Promise<OutcomeDetails & { paused?: boolean; named?: number }> {
  const { mailSource, cursors, random } = session.deps;
  const { mailbox, now } = session;
  const known = new Set(folders.map((c) => c.wellKnownName?.toLowerCase()));
  const missing = (effectiveFilter(mailbox.folderFilter).wellKnownNames ?? []).filter(
    (name) => !known.has(name.toLowerCase()),
  );
  if (missing.length === 0) return {};
  let resolved: Record<string, string>;
  try {
    resolved = await mailSource.resolveWellKnownFolders({
      mailbox,
      names: missing,
      requestId: random.id(),
      signal: session.signal,
    });
  } catch (error) {
    // The folders are resolved at the next completion; the rest of the sync goes on. A throttle
    // answer pauses the mailbox like any other: the folder chains started next wait it out.
    const classified = toPageError(error);
    if (classified.kind !== 'throttled') return { error: classified };
    await pauseMailbox(session.deps, mailbox.mailboxId, classified);
    return { error: classified, paused: true };
  }
  const entries = Object.entries(resolved);
  for (const [name, folderId] of entries) {
    await updateFolderCursor(cursors, mailbox.mailboxId, folderId, (c) => {
      if (c.wellKnownName === name || c.status === 'gone') return undefined;
      const named = { ...c, wellKnownName: name };
      return withFilterStatus(
        session.deps.mirror,
        named,
        statusUnderFilter(named, mailbox.folderFilter),
        now,
      );
    });
  }
  return { named: entries.length };
}

/** Brings every folder in line with the filter; starts those due or stuck in lanes (lanes.ts). */
async function startFolderChains(session: PageSession): Promise<OutcomeDetails> {
  const { cursors, mirror, queue, random, config } = session.deps;
  const { mailbox, now } = session;
  const list = async () =>
    (await cursors.listByMailbox(mailbox.mailboxId)).filter((c) => c.kind === 'folder');
  // Another worker may have been throttled since this page's call. While the mailbox is paused
  // nothing calls the server and no folder chain starts (the chains already queued wait the
  // pause out; the next completion after it starts the rest), so a pause never doubles a chain.
  const latest = await session.deps.registry.get(mailbox.mailboxId);
  const pausedBefore = (latest?.backoffUntil ?? 0) > session.deps.clock.now();
  const folders = await list();
  const {
    paused: pausedByLookup,
    named = 0,
    ...details
  } = pausedBefore ? {} : await resolveWellKnown(session, folders);
  const paused = pausedBefore || pausedByLookup === true;
  const starting: Cursor[] = [];
  // Listed again only when the lookup named folders (their rows changed).
  for (let cursor of named > 0 ? await list() : folders) {
    if (cursor.status === 'gone') {
      if (cursor.lease && !leaseIsLive(cursor, now)) {
        // A page died on the folder after it was deleted: it may have written items since.
        await updateFolderCursor(cursors, mailbox.mailboxId, cursor.folderId, async (c) => {
          if (!c.lease || leaseIsLive(c, now)) return undefined;
          await closeFolderAtNextVersion(mirror, c, now);
          return { ...c, lease: undefined, updatedAt: now };
        });
      }
      continue;
    }
    const status = statusUnderFilter(cursor, mailbox.folderFilter);
    if (status !== cursor.status) {
      const written = await updateFolderCursor(cursors, mailbox.mailboxId, cursor.folderId, (c) => {
        const desired = statusUnderFilter(c, mailbox.folderFilter);
        return desired === c.status ? undefined : withFilterStatus(mirror, c, desired, now);
      });
      if (!written) continue;
      cursor = written;
    }
    if (needsChain(cursor, now, config) && !paused) starting.push(cursor);
  }
  // The first lane's job gets this page's slot.
  const jobs = planLanes(starting, slotsOf(session.deps, mailbox), random, session.successorId);
  if (jobs.length > 0) await queue.send(jobs);
  if (jobs[0]?.job.jobId === session.successorId) await session.keepSlotForSuccessor();
  return { ...details, enqueued: jobs.length, foldersDue: starting.length };
}

const hierarchyApplier: PageApplier<FetchedFolders> = {
  type: 'hierarchy',
  cursorIdOf: () => HIERARCHY_CURSOR_ID,
  async missingCursor(deps, job, now) {
    // A first sync requested before the scheduler saw the mailbox (e.g. `sync-now`).
    await deps.cursors.create(newHierarchyCursor(job.mailboxId, HIERARCHY_CURSOR_ID, now));
    return deps.cursors.get(job.mailboxId, HIERARCHY_CURSOR_ID);
  },
  // Folder rows an interrupted page created or changed are corrected by the redo from the same
  // SyncState, and a folder created and deleted meanwhile answers folderNotFound: no resync needed.
  afterDirtyStop: () => ({}),
  resetForResync: () => ({ syncState: undefined }),

  async fetch(session) {
    const { mailbox, cursor, requestId, signal } = session;
    const page = await session.deps.mailSource.syncHierarchy({
      mailbox,
      syncState: cursor.syncState,
      requestId,
      signal,
    });
    return fetchedPage(page);
  },

  async apply(session, { page }) {
    // Each folder's changes in order (a folder may be created and deleted within one page);
    // folders apart from one another, a first sync's hundreds of creates in a few round trips.
    const byFolder = new Map<string, FolderChange[]>();
    for (const change of page.changes)
      byFolder.set(change.folderId, [...(byFolder.get(change.folderId) ?? []), change]);
    await mapWithConcurrency([...byFolder.values()], FOLDER_WRITES_IN_FLIGHT, async (changes) => {
      for (const change of changes) await applyFolderChange(session, change);
    });
    return { folderChanges: page.changes.length };
  },

  afterComplete: startFolderChains,
  startsMoreOnCompletion: () => true,

  async onFolderNotFound(session, error) {
    // The mailbox root is missing: nothing will work until an operator looks at it.
    const base = {
      ...baseOutcome(session.job, HIERARCHY_CURSOR_ID),
      pages: 1,
      fence: session.fence,
      requestId: session.requestId,
    };
    return parkMailbox(session, base, error);
  },
};

/** Runs one page of a mailbox's folder hierarchy sync. */
export function syncHierarchyPage(
  deps: CoreDeps,
  job: HierarchyJob,
  context: PageContext,
): Promise<PageOutcome> {
  return runLeasedPage(deps, job, context, hierarchyApplier);
}
