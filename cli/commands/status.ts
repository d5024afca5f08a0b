// `exchange-sync status`: how each mailbox is doing, and (with --smtp) each of its folders. Stuck
// chains, back-offs, parked mailboxes and recorded errors are what an operator looks for.
import { Command } from 'commander';
import { HIERARCHY_CURSOR_ID } from '../../lib/core/index.js';
import {
  type FolderStatus,
  type MailboxStatus,
  mailboxStatuses,
} from '../../lib/core/operator/mailbox-status.js';
import { MailboxNotRegisteredError, type MailboxSelection } from '../../lib/core/operator/mailboxes.js';
import type { CliIo } from '../operator/io.js';
import { formatAgo, formatDuration, isoOrNull, printJson, printTable } from '../operator/render.js';
import { type ResourceFlags, withContainer, withResourceOptions } from '../operator/resources.js';
import { notRegistered } from './mailbox.js';

function folderCounts(s: MailboxStatus): string {
  const parts = Object.entries(s.folders)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`);
  return parts.length > 0 ? parts.join(', ') : 'none yet';
}

function statusJson(s: MailboxStatus) {
  const folder = (f: FolderStatus) => ({
    ...f,
    lastSyncedAt: isoOrNull(f.lastSyncedAt),
    lastError: f.lastError ? { code: f.lastError.code, at: isoOrNull(f.lastError.at) } : undefined,
  });
  return {
    ...s,
    backoffUntil: isoOrNull(s.backoffUntil),
    oldestSyncAt: isoOrNull(s.oldestSyncAt),
    lastSyncedAt: isoOrNull(s.lastSyncedAt),
    hierarchy: s.hierarchy ? folder(s.hierarchy) : undefined,
    errors: s.errors.map((e) => ({ ...e, at: isoOrNull(e.at) })),
    folderDetails: s.folderDetails.map(folder),
  };
}

function printSummary(io: CliIo, statuses: MailboxStatus[], now: number): void {
  printTable(
    io,
    ['Mailbox', 'Status', 'Back-off', 'Folders', 'Last sync', 'Lag', 'In flight', 'Stuck', 'Errors'],
    statuses.map((s) => [
      s.smtpAddress,
      s.status === 'parked' ? `parked: ${s.parkedReason ?? '-'}` : s.status,
      s.backoffUntil ? `${formatDuration(s.backoffUntil - now)} left` : '-',
      folderCounts(s),
      formatAgo(s.lastSyncedAt, now),
      s.lagMs === undefined
        ? 'never synced'
        : `${formatDuration(s.lagMs)}${s.neverSynced > 0 ? ` (+${s.neverSynced} never synced)` : ''}`,
      s.inFlight,
      s.stuck,
      s.errors.length === 0 ? '-' : `${s.errors.length} (latest ${s.errors[0]!.code})`,
    ]),
  );
}

function printFolders(io: CliIo, s: MailboxStatus, now: number): void {
  const rows = [...(s.hierarchy ? [s.hierarchy] : []), ...s.folderDetails];
  if (rows.length === 0) {
    io.out('No folders yet: the first hierarchy sync has not run (exchange-sync sync-now starts it).\n');
    return;
  }
  printTable(
    io,
    ['Folder', 'Id', 'Status', 'Pages', 'Changes', 'Last sync', 'Last error'],
    rows.map((f) => {
      const flags = [f.inFlight ? 'in flight' : '', f.stuck ? 'STUCK' : '', f.resyncPending ? 'resync' : '']
        .filter(Boolean)
        .join(', ');
      const status = f.statusReason ? `${f.status} (${f.statusReason})` : f.status;
      return [
        f.folderId === HIERARCHY_CURSOR_ID ? '(hierarchy)' : (f.displayName ?? '?'),
        f.folderId === HIERARCHY_CURSOR_ID ? '-' : f.folderId,
        flags ? `${status} [${flags}]` : status,
        f.pages,
        f.changesApplied,
        formatAgo(f.lastSyncedAt, now),
        f.lastError ? `${f.lastError.code}, ${formatAgo(f.lastError.at, now)}` : '-',
      ];
    }),
  );
}

export function statusCommand(io: CliIo): Command {
  return withResourceOptions(
    new Command('status')
      .description('Sync status per mailbox; with --smtp also per folder')
      .option('--smtp <address>', 'one mailbox, with its folders')
      .option('--json', 'print JSON'),
  ).action(async (options: ResourceFlags & { smtp?: string; json?: boolean }) => {
    await withContainer(options, io, ['mailboxTable', 'cursorTable'], async ({ deps }) => {
      const now = io.now();
      const selection: MailboxSelection = options.smtp
        ? { kind: 'one', mailboxId: options.smtp.toLowerCase() }
        : { kind: 'all' };
      const statuses = await mailboxStatuses(deps, selection, now).catch((error: unknown) => {
        throw error instanceof MailboxNotRegisteredError ? notRegistered(options.smtp!) : error;
      });
      if (options.json) {
        const json = statuses.map(statusJson);
        // The whole-registry view stays small: folder details only for one mailbox.
        return printJson(io, options.smtp ? json[0] : json.map(({ folderDetails: _f, ...rest }) => rest));
      }
      if (statuses.length === 0) return io.out('No mailboxes registered.\n');
      printSummary(io, statuses, now);
      if (options.smtp) printFolders(io, statuses[0]!, now);
      const stuck = statuses.reduce((n, s) => n + s.stuck, 0);
      if (stuck > 0) {
        io.out(
          `${stuck} stuck chain(s): the next tick restarts them, or now: exchange-sync sync-now ` +
            `${options.smtp ? `--smtp ${options.smtp}` : '--all'}\n`,
        );
      }
    });
  });
}
