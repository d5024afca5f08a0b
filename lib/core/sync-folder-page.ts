// Use case: one page of item changes for one folder (the protocol: lib/core/PROTOCOL.md).
import type { CoreDeps, PageContext } from './deps.js';
import type { FolderJob } from './jobs/builders.js';
import {
  baseOutcome,
  type FetchedPage,
  markGone,
  type PageApplier,
  type PageSession,
  runLeasedPage,
} from './leased-page.js';
import type { Cursor } from './model.js';
import type { PageOutcome } from './outcome.js';
import type { ItemPage, MirrorWrite } from './ports.js';

type FetchedItems = FetchedPage & { page: ItemPage };

function mirrorWrite(session: PageSession): MirrorWrite {
  const { cursor } = session;
  return {
    mailboxId: cursor.mailboxId,
    folderId: cursor.folderId,
    pageVersion: session.fence,
    generation: cursor.generation,
    now: session.now,
  };
}

/** Start over from an empty SyncState, stamping items with a new generation; sweep at the end. */
function resync(cursor: Cursor): Partial<Cursor> {
  return { generation: cursor.generation + 1, syncState: undefined, resyncPending: true };
}

const folderApplier: PageApplier<FetchedItems> = {
  type: 'folder',
  cursorIdOf: (job) => (job as FolderJob).folderId,
  missingCursor: async () => undefined,
  // A source sends no delete for an item created and deleted after the state we retry from (EWS
  // and Graph alike), so an item the interrupted page wrote could stay forever: a resync (with
  // its sweep) removes it.
  afterDirtyStop: resync,
  resetForResync: resync,

  async fetch(session) {
    const { mailbox, cursor, requestId, signal } = session;
    const page = await session.deps.mailSource.syncItems({
      mailbox,
      folderId: cursor.folderId,
      folderKind: cursor.folderKind,
      syncState: cursor.syncState,
      requestId,
      signal,
    });
    return {
      page,
      syncState: page.syncState,
      complete: !page.more,
      changeCount: page.changes.length,
    };
  },

  async apply(session, { page }) {
    if (page.changes.length === 0) return {};
    return { changes: await session.deps.mirror.apply(mirrorWrite(session), page.changes) };
  },

  async beforeComplete(session) {
    // Sweep before the advance that clears resyncPending: a crash in between repeats the sweep
    // (idempotent) instead of losing it.
    if (!session.cursor.resyncPending) return {};
    return { swept: await session.deps.mirror.sweep(mirrorWrite(session)) };
  },

  async onFolderNotFound(session, error) {
    // Tombstone first: once the cursor says gone nobody would come back to do it.
    const tombstoned = await session.deps.mirror.tombstoneFolder(mirrorWrite(session));
    const written = await markGone(session, error);
    const base = baseOutcome(session.job, session.cursor.folderId);
    return {
      ...base,
      pages: 1,
      fence: session.fence,
      requestId: session.requestId,
      outcome: written ? 'gone' : 'lease-lost',
      tombstoned,
      error,
    };
  },
};

/** Runs one page of a folder's item sync. Never throws for mail-source errors (they are reactions). */
export function syncFolderPage(deps: CoreDeps, job: FolderJob, context: PageContext): Promise<PageOutcome> {
  return runLeasedPage(deps, job, context, folderApplier);
}
