// Reset (the CLI's `reset`, in the core so that other front ends call the same use case): make a
// folder (or a whole mailbox) sync again from scratch. Same effect as the core's reaction to an
// invalid SyncState: generation + 1, SyncState cleared, resyncPending, so the full resync stamps
// every item with the new generation and the sweep at its end tombstones the rest.
// Written through the CursorStore's conditional replace with a version bump, so any job issued
// for the old version becomes stale; refused while a page holds a live lease (that page's advance
// would fail on the moved version: refusing says so instead of ending its chain). A stopped folder
// is not reset: a gone one has nothing to sync, an excluded one syncs from scratch anyway when
// the filter includes it again (hierarchy/folder-stops.ts resumeFolder).
import type { CoreDeps } from '../deps.js';
import { updateFolderCursor } from '../hierarchy/folder-cursors.js';
import { startJob } from '../jobs/builders.js';
import { type Cursor, HIERARCHY_CURSOR_ID, type Mailbox } from '../model.js';
import type { Enqueue } from '../ports.js';
import { leaseIsLive } from '../schedule/due.js';

/** What cannot be reset at all (a refusal per folder is a ResetResult instead). */
export class ResetTargetError extends Error {
  override readonly name = 'ResetTargetError';
  constructor(
    readonly mailboxId: string,
    readonly folderId: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export type ResetRefusal = 'gone' | 'excluded' | 'in-flight' | 'missing';

export interface ResetResult {
  folderId: string;
  displayName?: string;
  reset: boolean;
  refused?: ResetRefusal;
  /** The new generation of a reset folder (the hierarchy has none). */
  generation?: number;
  /** A job was enqueued for it (enabled mailbox, selected folder). */
  enqueued: boolean;
}

/**
 * The cursor syncing again from scratch: no SyncState, no chain, no error; a folder gets a new
 * generation and a sweep (its items of the old one go at the end of the resync).
 */
export function resetCursor(current: Cursor, now: number): Cursor {
  const isFolder = current.kind === 'folder';
  return {
    ...current,
    syncState: undefined,
    // The hierarchy has no items to sweep: a hierarchy sync from scratch reports every folder again.
    generation: isFolder ? current.generation + 1 : current.generation,
    resyncPending: isFolder ? true : undefined,
    // An expired lease belongs to a dead page: dropping it is what the next holder would do.
    lease: undefined,
    status: 'idle',
    doneJobId: undefined,
    nextJobId: undefined,
    lastError: undefined,
    statusReason: undefined,
    emptyPages: undefined,
    updatedAt: now,
  };
}

async function resetOne(
  deps: CoreDeps,
  mailbox: Mailbox,
  folderId: string,
  now: number,
): Promise<{
  result: ResetResult;
  cursor?: Cursor;
}> {
  let refused: ResetRefusal | undefined;
  let displayName: string | undefined;
  const written = await updateFolderCursor(deps.cursors, mailbox.mailboxId, folderId, (current) => {
    displayName = current.displayName;
    refused = current.stop?.reason ?? (leaseIsLive(current, now) ? 'in-flight' : undefined);
    return refused ? undefined : resetCursor(current, now);
  });
  if (!written) {
    return {
      result: { folderId, displayName, reset: false, refused: refused ?? 'missing', enqueued: false },
    };
  }
  return {
    result: {
      folderId,
      displayName,
      reset: true,
      generation: written.kind === 'folder' ? written.generation : undefined,
      enqueued: false,
    },
    cursor: written,
  };
}

/**
 * Resets one folder, or (folderId absent) the hierarchy and every folder of the mailbox, then
 * enqueues their first jobs at the new versions.
 */
export async function resetMailbox(
  deps: CoreDeps,
  mailbox: Mailbox,
  folderId: string | undefined,
  now: number,
): Promise<ResetResult[]> {
  if (folderId === HIERARCHY_CURSOR_ID) {
    throw new ResetTargetError(
      mailbox.mailboxId,
      folderId,
      'reset the hierarchy by resetting the whole mailbox (omit --folder)',
    );
  }
  let targets: string[];
  if (folderId !== undefined) {
    const cursor = await deps.cursors.get(mailbox.mailboxId, folderId);
    if (!cursor) {
      throw new ResetTargetError(
        mailbox.mailboxId,
        folderId,
        `mailbox ${mailbox.mailboxId} has no folder ${folderId}`,
      );
    }
    targets = [folderId];
  } else {
    const cursors = await deps.cursors.listByMailbox(mailbox.mailboxId);
    targets = cursors.filter((c) => c.stop === undefined).map((c) => c.folderId);
  }
  const outcomes = [];
  for (const target of targets) outcomes.push(await resetOne(deps, mailbox, target, now));
  const entries: Enqueue[] = [];
  if (mailbox.status === 'enabled') {
    for (const outcome of outcomes) {
      const cursor = outcome.cursor;
      if (cursor?.status !== 'idle') continue;
      entries.push({ job: startJob(cursor, deps.random) });
      outcome.result.enqueued = true;
    }
  }
  if (entries.length > 0) await deps.queue.send(entries);
  return outcomes.map((o) => o.result);
}
