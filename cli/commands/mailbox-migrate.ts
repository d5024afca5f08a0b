// `exchange-sync mailbox migrate`: move a mailbox to another mail source (EWS to Graph when
// Exchange Online blocks EWS). The CLI parses and reports; the core's changeMailboxSource does it.
import { Command } from 'commander';
import { ENV } from '../../infra/resources.js';
import { changeMailboxSource } from '../../lib/core/operator/change-mailbox-source.js';
import type { CliIo } from '../operator/io.js';
import {
  type MailboxAddFlags,
  mailboxAddress,
  mailboxDefaults,
  parseMailboxAdd,
} from '../operator/mailbox-input.js';
import { printJson } from '../operator/render.js';
import { type ResourceFlags, withContainer, withResourceOptions } from '../operator/resources.js';
import { requireMailbox } from './mailbox.js';

type MigrateFlags = Omit<MailboxAddFlags, 'source' | 'smtp'> &
  ResourceFlags & { smtp: string; to: string; json?: boolean };

export function migrateCommand(io: CliIo): Command {
  return withResourceOptions(
    new Command('migrate')
      .description(
        'Move a mailbox to another mail source (ews or graph): its mirrored items are tombstoned and synced again under the new ids',
      )
      .requiredOption('--smtp <address>', 'the registered mailbox')
      .requiredOption('--to <source>', 'graph (Exchange Online) or ews (Exchange Server on premises)')
      .requiredOption(
        '--credentials <ref>',
        'the secret for the new source (exchange-sync/...) or local:<name>',
      )
      .option('--tenant <id>', 'graph: Entra tenant id or domain')
      .option('--user <upn>', 'graph: the user (default: the mailbox address)')
      .option('--graph-url <url>', 'graph: base URL (default https://graph.microsoft.com/v1.0)')
      .option('--endpoint <url>', 'ews: the EWS endpoint')
      .option('--allow-insecure-http', 'accept an http:// URL (local simulator only)')
      .option('--json', 'print the result as JSON'),
  ).action(async (options: MigrateFlags) => {
    const defaults = mailboxDefaults(io.env, {
      pageSize: ENV.defaultPageSize,
      maxConcurrent: ENV.maxConcurrentSyncsPerMailbox,
      secretPrefix: ENV.secretPrefix,
    });
    // The new source is validated exactly as `mailbox add` validates it.
    const target = parseMailboxAdd(
      {
        source: options.to,
        credentials: options.credentials,
        allowInsecureHttp: options.allowInsecureHttp,
        ...(options.to === 'graph'
          ? { tenant: options.tenant, user: options.user ?? options.smtp, graphUrl: options.graphUrl }
          : { smtp: options.smtp, endpoint: options.endpoint }),
      },
      defaults,
      io.now(),
    );
    await withContainer(options, io, ['mailboxTable', 'cursorTable', 'itemTable'], async ({ deps }) => {
      const mailbox = await requireMailbox(deps.registry, options.smtp);
      const result = await changeMailboxSource(deps, {
        mailboxId: mailbox.mailboxId,
        source: target.source,
        credentialsRef: target.credentialsRef,
      });
      if (options.json) return printJson(io, result);
      io.out(
        `Moved ${mailboxAddress(mailbox)} to ${target.source.kind}: ${result.foldersClosed} folders closed, ` +
          `${result.itemsTombstoned} mirrored items tombstoned (the change feed shows them as deletes). ` +
          `The next tick syncs it again through ${target.source.kind}; to start now: ` +
          `exchange-sync sync-now --smtp ${options.smtp}\n`,
      );
    });
  });
}
