// `exchange-sync reset`: resync a folder, or a whole mailbox, from scratch.
import { Command } from 'commander';
import { HIERARCHY_CURSOR_ID } from '../../lib/core/index.js';
import { type ResetResult, ResetTargetError, resetMailbox } from '../../lib/core/operator/reset-folders.js';
import { OperationError } from '../operator/errors.js';
import type { CliIo } from '../operator/io.js';
import { printJson, printTable } from '../operator/render.js';
import { type ResourceFlags, withContainer, withResourceOptions } from '../operator/resources.js';
import { requireMailbox } from './mailbox.js';

const REFUSALS = {
  gone: 'not reset: the folder is gone',
  excluded: 'not reset: the filter excludes it (it syncs from scratch once included again)',
  'in-flight': 'not reset: a page is in flight, try again when it ends',
  missing: 'not reset: the cursor disappeared',
} as const;

export function resetCommand(io: CliIo): Command {
  return withResourceOptions(
    new Command('reset')
      .description(
        'Resync a folder (or the hierarchy and every folder of a mailbox) from scratch; ' +
          'items deleted meanwhile are swept at the end',
      )
      .requiredOption('--smtp <address>', 'the mailbox')
      .option('--folder <id>', 'one folder id (see: exchange-sync status --smtp <address>)')
      .option('--json', 'print JSON'),
  ).action(async (options: ResourceFlags & { smtp: string; folder?: string; json?: boolean }) => {
    await withContainer(options, io, ['mailboxTable', 'cursorTable', 'queueUrl'], async ({ deps }) => {
      const mailbox = await requireMailbox(deps.registry, options.smtp);
      const results: ResetResult[] = await resetMailbox(deps, mailbox, options.folder, io.now()).catch(
        (error: unknown) => {
          throw error instanceof ResetTargetError ? new OperationError(error.message) : error;
        },
      );
      if (options.json) printJson(io, results);
      else if (results.length === 0) io.out('Nothing to reset: the mailbox has no folders yet.\n');
      else {
        printTable(
          io,
          ['Folder', 'Id', 'Result', 'Job'],
          results.map((r) => [
            r.folderId === HIERARCHY_CURSOR_ID ? '(hierarchy)' : (r.displayName ?? '?'),
            r.folderId === HIERARCHY_CURSOR_ID ? '-' : r.folderId,
            !r.reset
              ? REFUSALS[r.refused!]
              : r.generation === undefined
                ? 'reset'
                : `reset (generation ${r.generation})`,
            r.enqueued ? 'enqueued' : mailbox.status === 'parked' ? 'none (mailbox parked)' : '-',
          ]),
        );
      }
      const refused = results.filter((r) => !r.reset);
      if (refused.length > 0) {
        throw new OperationError(
          `${refused.length} of ${results.length} cursor(s) were not reset (see above)`,
        );
      }
    });
  });
}
