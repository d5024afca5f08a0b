// Use case: one page of folder changes for a mailbox. Applies folder creations, renames and
// deletions to the folder cursors; when the hierarchy is complete, reconciles every folder with
// the filter and starts a chain for each folder that is due or stuck.
import type { CoreDeps, PageContext } from '../deps.js';
import { runLaneFolderNext } from '../folder/sync-folder-page.js';
import type { FolderJob, HierarchyJob } from '../jobs/builders.js';
import { mapWithConcurrency } from '../map-with-concurrency.js';
import { type Cursor, HIERARCHY_CURSOR_ID } from '../model.js';
import type { PageOutcome } from '../outcome.js';
import {
  baseOutcome,
  type FetchedPage,
  fetchedPage,
  mayRunInline,
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
import { needsChain } from '../schedule/due.js';
import { planLanes } from '../schedule/lanes.js';
import { newFolderCursor, newHierarchyCursor, selectedByFilter } from './folder-cursors.js';
import { effectiveFilter } from './folder-filter.js';
import { EXCLUDED_BY_FILTER, type ReportedFacts, reconcileFolder, stopFolder } from './folder-stops.js';

type FetchedFolders = FetchedPage & { page: FolderPage };

/** Folder cursor writes of one hierarchy page in flight at once (each its own row). */
const FOLDER_WRITES_IN_FLIGHT = 16;

async function applyFolderChange(session: PageSession, change: FolderChange): Promise<void> {
  const { cursors } = session.deps;
  const { mailboxId, folderFilter } = session.mailbox;
  const { now } = session;
  const target = { mailboxId, folderId: change.folderId };
  if (change.kind === 'delete') {
    // The stop first, then the close above every page's fence (folder-stops.ts says why).
    await stopFolder(session.deps, target, { reason: 'gone', code: 'FolderDeleted' }, now);
    return;
  }
  // Search folders hold items of other folders: they get no cursor at all.
  if (change.virtual) return;
  const facts: Partial<ReportedFacts> = {
    displayName: change.folder.displayName,
    folderKind: change.folder.kind,
    parentFolderId: change.folder.parentFolderId,
  };
  if (change.folder.wellKnownName !== undefined) facts.wellKnownName = change.folder.wellKnownName;
  const fresh = newFolderCursor(mailboxId, change.folderId, now, facts);
  // A folder the filter leaves out starts stopped: no page ever ran on it, so nothing to close.
  const excluded = selectedByFilter(fresh, folderFilter)
    ? {}
    : { stop: { reason: 'excluded' as const, code: EXCLUDED_BY_FILTER, at: now, closedAtVersion: 0 } };
  if (await cursors.create({ ...fresh, ...excluded })) return;
  await reconcileFolder(session.deps, target, folderFilter, now, facts);
}

/** Maps filter names (`inbox`, ...) to folders once; names the mailbox lacks are asked again next time. */
async function resolveWellKnown(
  session: PageSession,
  folders: Cursor[],
): Promise<OutcomeDetails & { paused?: boolean; named?: number }> {
  const { mailSource, random } = session.deps;
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
  // Folders apart (a first sync names about ten, on the way to its first folder chains); the
  // names of one folder in order, each a write of its facts.
  const namesByFolder = new Map<string, string[]>();
  for (const [name, folderId] of Object.entries(resolved))
    namesByFolder.set(folderId, [...(namesByFolder.get(folderId) ?? []), name]);
  await mapWithConcurrency([...namesByFolder], FOLDER_WRITES_IN_FLIGHT, async ([folderId, names]) => {
    const target = { mailboxId: mailbox.mailboxId, folderId };
    for (const name of names)
      await reconcileFolder(session.deps, target, mailbox.folderFilter, now, { wellKnownName: name });
  });
  return { named: Object.keys(resolved).length };
}

/** Brings every folder in line with the filter; starts those due or stuck in lanes (lanes.ts). */
async function startFolderChains(session: PageSession, context: PageContext): Promise<OutcomeDetails> {
  const { cursors, queue, random, config } = session.deps;
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
    // Only a stop pending its close, or a folder whose selection changed, is written here.
    const selected = selectedByFilter(cursor, mailbox.folderFilter);
    const pendingClose = cursor.stop !== undefined && cursor.stop.closedAtVersion === undefined;
    const selectionChanged = cursor.stop ? cursor.stop.reason === 'excluded' && selected : !selected;
    if (pendingClose || selectionChanged) {
      const target = { mailboxId: mailbox.mailboxId, folderId: cursor.folderId };
      const written = await reconcileFolder(session.deps, target, mailbox.folderFilter, now);
      if (!written) continue;
      cursor = written;
    }
    if (!cursor.stop && needsChain(cursor, now, config) && !paused) starting.push(cursor);
  }
  // The first lane's job gets this page's slot.
  const jobs = planLanes(starting, slotsOf(session.deps, mailbox), random, session.successorId);
  const [first, ...others] = jobs;
  const firstJob = first?.job.jobId === session.successorId ? (first.job as FolderJob) : undefined;
  if (firstJob && context.chain && mayRunInline(session.deps, session, context)) {
    // The first lane runs next in this invocation, from the cursor just listed, with the slot in
    // memory: an idle tick of a mailbox is then one queue message and one slot taken. A crash
    // before the lane ends leaves its folders due; this job, redelivered, redoes the completion.
    const cursor = starting.find((c) => c.folderId === firstJob.folderId)!;
    runLaneFolderNext(session, context, { job: firstJob, cursor });
    if (others.length > 0) await queue.send(others);
    return { ...details, enqueued: others.length, foldersDue: starting.length };
  }
  if (jobs.length > 0) await queue.send(jobs);
  if (firstJob) await session.keepSlotForSuccessor();
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
  // From a stored state the hierarchy is mostly unchanged: the idle page's one write, at each
  // page of a chain (a Graph hierarchy's second page, contact folders, is as idle as its first).
  mayCallBeforeLease: (cursor) => cursor.syncState !== undefined,

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
    for (const change of page.changes) {
      const changes = byFolder.get(change.folderId);
      if (changes) changes.push(change);
      else byFolder.set(change.folderId, [change]);
    }
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
