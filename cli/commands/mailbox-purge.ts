// `exchange-sync mailbox purge`: erase a mailbox for good (GDPR article 17). The CLI parses,
// confirms and reports; the core's purgeMailbox does it. Progress goes to stderr, the result to
// stdout (one JSON document with --json).
import { Command } from 'commander';
import { ENV } from '../../infra/resources.js';
import {
  DEFAULT_LEASE_WAIT_MS,
  LeasesStillHeldError,
  type PurgeProgress,
  type PurgeResult,
  purgeMailbox,
} from '../../lib/core/operator/purge-mailbox.js';
import { MissingConfigurationError, OperationError, UsageError } from '../operator/errors.js';
import type { CliIo } from '../operator/io.js';
import { printJson, printTable } from '../operator/render.js';
import { type ResourceFlags, withContainer, withResourceOptions } from '../operator/resources.js';

type PurgeFlags = ResourceFlags & {
  smtp: string;
  dryRun?: boolean;
  yes?: boolean;
  wait: string;
  json?: boolean;
};

const REMAINS =
  'Copies outside the tables stay for a while: point-in-time recovery (35 days), the change-feed ' +
  'stream (24 hours), the dead-letter queue (14 days) and the logs (1 month); see "Erasing a mailbox" in the README.';

export function purgeCommand(io: CliIo): Command {
  return withResourceOptions(
    new Command('purge')
      .description(
        'Erase a mailbox for good (GDPR article 17): its mirrored items (tombstoned first, so ' +
          'change-feed consumers see the deletes), cursors, spilled SyncStates and registry row',
      )
      .requiredOption(
        '--smtp <address>',
        'the mailbox: its address or mailbox id (also one already removed from the registry)',
      )
      .option('--dry-run', 'show what would be deleted, per folder; change nothing')
      .option('--yes', 'confirm the erasure (required unless --dry-run)')
      .option(
        '--wait <seconds>',
        'longest wait for pages in flight to end before giving up',
        String(DEFAULT_LEASE_WAIT_MS / 1000),
      )
      .option('--json', 'print the result as one JSON document')
      .addHelpText(
        'after',
        '\nInterrupted? Run it again: it resumes where it stopped.\n\nExamples:\n' +
          '  exchange-sync mailbox purge --smtp alice@contoso.com --dry-run\n' +
          '  exchange-sync mailbox purge --smtp alice@contoso.com --yes\n',
      ),
  ).action(async (options: PurgeFlags) => {
    if (!options.dryRun && !options.yes) {
      throw new UsageError(
        `mailbox purge deletes everything stored for ${options.smtp} for good and cannot be undone: ` +
          'add --yes to confirm (or --dry-run to see what would go)',
      );
    }
    const waitSeconds = Number(options.wait);
    if (!Number.isInteger(waitSeconds) || waitSeconds < 0)
      throw new UsageError('--wait: must be a whole number of seconds, 0 or more');
    await withContainer(
      options,
      io,
      ['mailboxTable', 'cursorTable', 'itemTable'],
      async ({ deps, erasure }) => {
        const states = erasure?.states;
        if (!erasure || !states) {
          throw new MissingConfigurationError([
            {
              variable: ENV.stateBucket,
              flag: '--state-bucket',
              problem: 'not set (a purge deletes the spilled SyncStates there)',
            },
          ]);
        }
        const { registry, cursors, mirror, clock } = deps;
        let result: PurgeResult;
        try {
          result = await purgeMailbox(
            { registry, cursors, mirror, clock, erasure: { ...erasure, states } },
            {
              mailboxId: options.smtp.toLowerCase(),
              dryRun: options.dryRun,
              maxLeaseWaitMs: waitSeconds * 1000,
              onProgress: (event) => io.err(`${describeProgress(event)}\n`),
            },
          );
        } catch (error) {
          if (error instanceof LeasesStillHeldError) throw new OperationError(error.message);
          throw error;
        }
        if (options.json) return printJson(io, result);
        printResult(io, options.smtp, result);
      },
    );
  });
}

function describeProgress(event: PurgeProgress): string {
  switch (event.kind) {
    case 'parked':
      return 'Parked the mailbox (Purging): no new page starts.';
    case 'waiting':
      return (
        `Waiting for ${event.liveLeases} page(s) in flight to end ` +
        `(their leases run until ${new Date(event.until).toISOString()})...`
      );
    case 'folder':
      return (
        `[${event.index}/${event.total}] ${event.displayName ?? event.folderId}: ` +
        `${event.itemsTombstoned} live item(s) tombstoned, ${event.rowsDeleted} row(s) deleted`
      );
    case 'cursors':
      return `Deleted ${event.deleted} cursor(s).`;
    case 'states':
      return `Deleted ${event.deleted} spilled SyncState(s) from the state bucket.`;
    case 'registry':
      return 'Removed the registry row.';
  }
}

function printResult(io: CliIo, smtp: string, result: PurgeResult): void {
  if (result.nothingStored) {
    io.out(`Nothing is stored for ${smtp}: it was never registered, or it was purged already.\n`);
    return;
  }
  if (result.folders.length > 0) {
    printTable(
      io,
      ['Folder', 'Id', result.dryRun ? 'Item rows' : 'Item rows deleted'],
      result.folders.map((f) => [f.displayName ?? '?', f.folderId, f.rows]),
    );
  }
  const counts =
    `${result.itemRows} item row(s) in ${result.folders.length} folder(s), ${result.cursors} cursor(s), ` +
    `${result.storedStates} spilled SyncState(s)` +
    (result.registered ? ' and the registry row' : ' (no registry row: removed before)');
  if (result.dryRun) {
    io.out(
      `Would delete for ${smtp}: ${counts}. Nothing was changed; to erase: ` +
        `exchange-sync mailbox purge --smtp ${smtp} --yes\n`,
    );
    return;
  }
  io.out(
    `Purged ${smtp}: deleted ${counts}. ${result.itemsTombstoned} live item(s) were tombstoned first, so ` +
      `change-feed consumers see them as deletes: they must erase their copies.\n${REMAINS}\n`,
  );
}
