// `exchange-sync sync-now`: start syncing now instead of at the next tick.
import { Command } from 'commander';
import type { Mailbox } from '../../lib/core/index.js';
import { type SyncNowResult, syncMailboxNow } from '../../lib/core/operator/sync-now.js';
import { UsageError } from '../operator/errors.js';
import type { CliIo } from '../operator/io.js';
import { printJson, printTable } from '../operator/render.js';
import { type ResourceFlags, withContainer, withResourceOptions } from '../operator/resources.js';
import { allMailboxes, requireMailbox } from './mailbox.js';

export function syncNowCommand(io: CliIo): Command {
  return withResourceOptions(
    new Command('sync-now')
      .description('Enqueue a hierarchy sync and a sync of every idle folder now, ignoring the sync interval')
      .option('--smtp <address>', 'one mailbox')
      .option('--all', 'every enabled mailbox')
      .option('--json', 'print JSON'),
  ).action(async (options: ResourceFlags & { smtp?: string; all?: boolean; json?: boolean }) => {
    if (Boolean(options.smtp) === Boolean(options.all))
      throw new UsageError('give either --smtp <address> or --all');
    await withContainer(options, io, ['mailboxTable', 'cursorTable', 'queueUrl'], async ({ deps }) => {
      const now = io.now();
      const mailboxes: Mailbox[] = options.smtp
        ? [await requireMailbox(deps.registry, options.smtp)]
        : await allMailboxes(deps.registry);
      const results: SyncNowResult[] = [];
      for (const mailbox of mailboxes) results.push(await syncMailboxNow(deps, mailbox, now));
      if (options.json) return printJson(io, results);
      if (results.length === 0) return io.out('No mailboxes registered.\n');
      printTable(
        io,
        ['Mailbox', 'Hierarchy job', 'Folder jobs', 'Already syncing'],
        results.map((r) => [
          r.mailboxId,
          r.skipped ? `skipped (${r.skipped})` : r.hierarchy ? 'enqueued' : 'already syncing',
          r.folderJobs,
          r.alreadySyncing,
        ]),
      );
    });
  });
}
