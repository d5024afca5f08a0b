// Use case: how a mailbox is doing (`status`, and any other front end), computed from its registry
// row and its cursors alone: folders counted by state, the lag (how long since the folder that
// synced longest ago last did), pages in flight, stuck chains and the errors still recorded. A
// stuck chain is the core's own definition (isStuck): syncing, no live lease, and no write for
// stuckAfterMs. That is how an operator sees a chain whose message was lost.
import type { CoreConfig } from '../config.js';
import type { CoreDeps } from '../deps.js';
import {
  type Cursor,
  type FolderState,
  folderState,
  HIERARCHY_CURSOR_ID,
  type Mailbox,
  type MailboxSource,
} from '../model.js';
import { isStuck, leaseIsLive } from '../schedule/due.js';
import { type MailboxSelection, mailboxAddress, selectMailboxes } from './mailboxes.js';

export interface FolderStatus {
  folderId: string;
  displayName?: string;
  status: FolderState;
  statusReason?: string;
  /** A page holds the lease right now. */
  inFlight: boolean;
  stuck: boolean;
  resyncPending: boolean;
  generation: number;
  pages: number;
  changesApplied: number;
  lastSyncedAt?: number;
  lastError?: { code: string; at: number };
}

export interface MailboxStatus {
  mailboxId: string;
  smtpAddress: string;
  source: MailboxSource['kind'];
  status: Mailbox['status'];
  parkedReason?: string;
  /** Set while the shared back-off is in force. */
  backoffUntil?: number;
  hierarchy?: FolderStatus;
  folders: Record<FolderState, number>;
  /** The oldest last sync among folders that sync (idle or syncing). */
  oldestSyncAt?: number;
  /** Folders that sync but never completed a sync. */
  neverSynced: number;
  /** now - oldestSyncAt: how far behind the mailbox may be. Absent when nothing ever synced. */
  lagMs?: number;
  lastSyncedAt?: number;
  inFlight: number;
  stuck: number;
  resyncPending: number;
  /** Cursors whose last error is still recorded, most recent first (codes only). */
  errors: { folderId: string; displayName?: string; code: string; at: number }[];
  folderDetails: FolderStatus[];
}

function folderStatus(cursor: Cursor, now: number, config: CoreConfig): FolderStatus {
  return {
    folderId: cursor.folderId,
    displayName: cursor.displayName,
    status: folderState(cursor),
    statusReason: cursor.stop?.code ?? cursor.statusReason,
    inFlight: leaseIsLive(cursor, now),
    stuck: isStuck(cursor, now, config),
    resyncPending: cursor.resyncPending === true,
    generation: cursor.generation,
    pages: cursor.pages,
    changesApplied: cursor.changesApplied,
    lastSyncedAt: cursor.lastSyncedAt,
    lastError: cursor.lastError ? { code: cursor.lastError.code, at: cursor.lastError.at } : undefined,
  };
}

export function mailboxStatus(
  mailbox: Mailbox,
  cursors: readonly Cursor[],
  now: number,
  config: CoreConfig,
): MailboxStatus {
  const hierarchyCursor = cursors.find((c) => c.folderId === HIERARCHY_CURSOR_ID);
  const folders = cursors.filter((c) => c.kind === 'folder').map((c) => folderStatus(c, now, config));
  const all = hierarchyCursor ? [folderStatus(hierarchyCursor, now, config), ...folders] : folders;
  const counts: Record<FolderState, number> = { idle: 0, syncing: 0, gone: 0, excluded: 0 };
  for (const f of folders) counts[f.status]++;
  const active = folders.filter((f) => f.status === 'idle' || f.status === 'syncing');
  const synced = active.map((f) => f.lastSyncedAt).filter((at): at is number => at !== undefined);
  const oldestSyncAt = synced.length > 0 ? Math.min(...synced) : undefined;
  const lastSyncedAt = synced.length > 0 ? Math.max(...synced) : undefined;
  const errors = all
    .filter((f) => f.lastError !== undefined && f.status !== 'gone')
    .map((f) => ({
      folderId: f.folderId,
      displayName: f.displayName,
      code: f.lastError!.code,
      at: f.lastError!.at,
    }))
    .sort((a, b) => b.at - a.at);
  return {
    mailboxId: mailbox.mailboxId,
    smtpAddress: mailboxAddress(mailbox),
    source: mailbox.source.kind,
    status: mailbox.status,
    parkedReason: mailbox.parkedReason,
    backoffUntil:
      mailbox.backoffUntil !== undefined && mailbox.backoffUntil > now ? mailbox.backoffUntil : undefined,
    hierarchy: hierarchyCursor ? all[0] : undefined,
    folders: counts,
    oldestSyncAt,
    neverSynced: active.length - synced.length,
    lagMs: oldestSyncAt === undefined ? undefined : now - oldestSyncAt,
    lastSyncedAt,
    inFlight: all.filter((f) => f.inFlight).length,
    stuck: all.filter((f) => f.stuck).length,
    resyncPending: all.filter((f) => f.resyncPending).length,
    errors,
    folderDetails: folders,
  };
}

/**
 * The status of one registered mailbox (MailboxNotRegisteredError otherwise) or of every one, in
 * mailbox id order, as of `now`.
 */
export async function mailboxStatuses(
  deps: Pick<CoreDeps, 'registry' | 'cursors' | 'config'>,
  selection: MailboxSelection,
  now: number,
): Promise<MailboxStatus[]> {
  const statuses: MailboxStatus[] = [];
  for (const mailbox of await selectMailboxes(deps.registry, selection)) {
    const cursors = await deps.cursors.listByMailbox(mailbox.mailboxId);
    statuses.push(mailboxStatus(mailbox, cursors, now, deps.config));
  }
  return statuses;
}
