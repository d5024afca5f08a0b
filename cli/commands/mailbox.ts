// `exchange-sync mailbox add|list|remove|park|unpark`: the mailbox registry.
import { Command } from 'commander';
import { ENV } from '../../infra/resources.js';
import { effectiveFilter, type Mailbox, type MailboxRegistry } from '../../lib/core/index.js';
import {
  allMailboxes,
  MailboxNotRegisteredError,
  registeredMailbox,
} from '../../lib/core/operator/mailboxes.js';
import { type UnparkTarget, unparkMailboxes } from '../../lib/core/operator/unpark-mailboxes.js';
import { OperationError, UsageError } from '../operator/errors.js';
import type { CliIo } from '../operator/io.js';
import {
  type MailboxAddFlags,
  mailboxAddress,
  mailboxDefaults,
  mailboxEndpoint,
  parseMailboxAdd,
} from '../operator/mailbox-input.js';
import { formatAgo, isoOrNull, printJson, printTable } from '../operator/render.js';
import { type ResourceFlags, withContainer, withResourceOptions } from '../operator/resources.js';
import { printUnparkSummary } from '../operator/unpark.js';
import { migrateCommand } from './mailbox-migrate.js';
import { purgeCommand } from './mailbox-purge.js';

export { allMailboxes };

/** The CLI's words for a mailbox the core found unregistered, as the operator typed it. */
export function notRegistered(smtp: string): OperationError {
  return new OperationError(`no mailbox ${smtp} is registered (see: exchange-sync mailbox list)`);
}

/** The registered mailbox for an SMTP address, or an OperationError naming it. */
export async function requireMailbox(registry: MailboxRegistry, smtp: string): Promise<Mailbox> {
  return registeredMailbox(registry, smtp.toLowerCase()).catch((error: unknown) => {
    throw error instanceof MailboxNotRegisteredError ? notRegistered(smtp) : error;
  });
}

export function describeFilter(mailbox: Mailbox): string {
  const explicit =
    (mailbox.folderFilter.wellKnownNames?.length ?? 0) + (mailbox.folderFilter.kinds?.length ?? 0);
  const filter = effectiveFilter(mailbox.folderFilter);
  const parts = [...(filter.wellKnownNames ?? []), ...(filter.kinds ?? [])];
  return explicit > 0 ? parts.join(', ') : `default (${parts.join(', ')})`;
}

/** The registry row as scripts see it: the credentials reference names a secret, never holds one. */
function mailboxJson(mailbox: Mailbox) {
  return {
    ...mailbox,
    folderFilter: effectiveFilter(mailbox.folderFilter),
    createdAt: isoOrNull(mailbox.createdAt),
    updatedAt: isoOrNull(mailbox.updatedAt),
    backoffUntil: isoOrNull(mailbox.backoffUntil),
  };
}

function addCommand(io: CliIo): Command {
  return withResourceOptions(
    new Command('add')
      .description('Register a mailbox (or replace its settings with --replace)')
      .option('--source <kind>', 'ews (Exchange Server on premises) or graph (Exchange Online)', 'ews')
      .option('--smtp <address>', 'ews: SMTP address of the mailbox to impersonate')
      .option('--endpoint <url>', 'ews: EWS endpoint, e.g. https://mail.contoso.com/EWS/Exchange.asmx')
      .option('--tenant <id>', 'graph: Entra tenant id or domain (must match the credentials)')
      .option('--user <upn>', 'graph: user principal name, SMTP address or object id of the mailbox')
      .option('--graph-url <url>', 'graph: base URL (default https://graph.microsoft.com/v1.0)')
      .requiredOption(
        '--credentials <ref>',
        'Secrets Manager secret name (exchange-sync/...) or local:<name>',
      )
      .option('--page-size <n>', 'changes per page, 1..512 (default: $DEFAULT_PAGE_SIZE or 512)')
      .option(
        '--max-concurrent <n>',
        'sync calls in flight for this mailbox, 1..50 (Exchange Online allows 5; default: $MAX_CONCURRENT_SYNCS_PER_MAILBOX or 4)',
      )
      .option('--folders <names>', 'well-known folders to sync, comma-separated (inbox,sentitems)')
      .option('--kinds <kinds>', 'folder kinds to sync, comma-separated (mail,calendar,contacts,tasks,notes)')
      .option(
        '--properties <names>',
        'properties to mirror, comma-separated (subject,from,receivedAt,...; default subject,from,receivedAt,lastModifiedAt)',
      )
      .option('--allow-insecure-http', 'accept an http:// endpoint (local simulator only)')
      .option('--replace', 'overwrite the settings of a registered mailbox (keeps its state)')
      .option('--json', 'print the registered mailbox as JSON'),
  ).action(async (options: MailboxAddFlags & ResourceFlags & { replace?: boolean; json?: boolean }) => {
    const now = io.now();
    const defaults = mailboxDefaults(io.env, {
      pageSize: ENV.defaultPageSize,
      maxConcurrent: ENV.maxConcurrentSyncsPerMailbox,
      secretPrefix: ENV.secretPrefix,
    });
    const mailbox = parseMailboxAdd(options, defaults, now);
    await withContainer(options, io, ['mailboxTable'], async ({ deps }) => {
      const existing = await deps.registry.get(mailbox.mailboxId);
      if (existing && !options.replace) {
        throw new OperationError(
          `mailbox ${mailboxAddress(mailbox)} is already registered (use --replace to change it)`,
        );
      }
      const row: Mailbox = existing
        ? {
            ...mailbox,
            // Operational state stays: replacing settings must not unpark or cut a back-off short.
            status: existing.status,
            parkedReason: existing.parkedReason,
            backoffUntil: existing.backoffUntil,
            createdAt: existing.createdAt,
          }
        : mailbox;
      await deps.registry.put(row);
      if (options.json) return printJson(io, mailboxJson(row));
      io.out(
        `${existing ? 'Updated' : 'Registered'} ${mailboxAddress(row)}: page size ${row.pageSize}, ` +
          `${row.maxConcurrentSyncs} concurrent syncs, folders ${describeFilter(row)}.\n` +
          `The next tick discovers its folders; to start now: exchange-sync sync-now --smtp ${mailboxAddress(row)}\n`,
      );
    });
  });
}

function listCommand(io: CliIo): Command {
  return withResourceOptions(
    new Command('list').description('List registered mailboxes').option('--json', 'print JSON'),
  ).action(async (options: ResourceFlags & { json?: boolean }) => {
    await withContainer(options, io, ['mailboxTable'], async ({ deps }) => {
      const mailboxes = await allMailboxes(deps.registry);
      if (options.json) return printJson(io, mailboxes.map(mailboxJson));
      if (mailboxes.length === 0) return io.out('No mailboxes registered.\n');
      const now = io.now();
      printTable(
        io,
        ['Mailbox', 'Status', 'Endpoint', 'Credentials', 'Page', 'Max', 'Folders', 'Registered'],
        mailboxes.map((m) => [
          mailboxAddress(m),
          m.status === 'parked' ? `parked: ${m.parkedReason ?? '-'}` : m.status,
          mailboxEndpoint(m),
          m.credentialsRef,
          m.pageSize,
          m.maxConcurrentSyncs,
          describeFilter(m),
          formatAgo(m.createdAt, now),
        ]),
      );
    });
  });
}

function removeCommand(io: CliIo): Command {
  return withResourceOptions(
    new Command('remove')
      .description(
        'Stop syncing a mailbox and remove its registry row only: its mirrored item rows, cursors and ' +
          'spilled SyncStates are KEPT (to erase them: mailbox purge)',
      )
      .requiredOption('--smtp <address>', 'SMTP address of the mailbox'),
  ).action(async (options: ResourceFlags & { smtp: string }) => {
    await withContainer(options, io, ['mailboxTable'], async ({ deps }) => {
      const mailbox = await requireMailbox(deps.registry, options.smtp);
      await deps.registry.remove(mailbox.mailboxId);
      const address = mailboxAddress(mailbox);
      io.out(
        `Removed ${address} from the registry; workers drop its queued jobs.\n` +
          'Kept (nothing was erased): its mirrored item rows in the item table, its cursors and its ' +
          'spilled SyncStates in the state bucket, so registering it again resumes where it stopped.\n' +
          `To erase them for good (GDPR erasure): exchange-sync mailbox purge --smtp ${address} --yes\n`,
      );
    });
  });
}

function parkCommand(io: CliIo): Command {
  return withResourceOptions(
    new Command('park')
      .description('Stop syncing a mailbox until it is unparked')
      .requiredOption('--smtp <address>', 'SMTP address of the mailbox')
      .option('--reason <text>', 'why (shown by status)', 'parked by operator'),
  ).action(async (options: ResourceFlags & { smtp: string; reason: string }) => {
    await withContainer(options, io, ['mailboxTable'], async ({ deps }) => {
      const mailbox = await requireMailbox(deps.registry, options.smtp);
      await deps.registry.park(mailbox.mailboxId, options.reason, io.now());
      io.out(`Parked ${mailboxAddress(mailbox)}: ${options.reason}\n`);
    });
  });
}

function unparkCommand(io: CliIo): Command {
  return withResourceOptions(
    new Command('unpark')
      .description('Resume syncing parked mailboxes (at the next tick, or now with sync-now)')
      .option('--smtp <address>', 'one mailbox')
      .option('--all', 'every parked mailbox (after an outage or a credential rotation)')
      .option('--reason <text>', 'with --all: only mailboxes whose parked reason contains this (any case)')
      .option('--json', 'print JSON')
      .addHelpText(
        'after',
        '\nExamples:\n  exchange-sync mailbox unpark --smtp alice@contoso.com\n' +
          '  exchange-sync mailbox unpark --all --reason HTTP_401\n',
      ),
  ).action(async (options: ResourceFlags & UnparkFlags) => {
    if (Boolean(options.smtp) === Boolean(options.all))
      throw new UsageError('give either --smtp <address> or --all');
    if (options.reason !== undefined && !options.all) throw new UsageError('--reason only filters --all');
    if (options.reason?.trim() === '') throw new UsageError('--reason: must not be empty');
    const target: UnparkTarget = options.smtp
      ? { kind: 'one', mailboxId: options.smtp.toLowerCase() }
      : { kind: 'all', reason: options.reason };
    await withContainer(options, io, ['mailboxTable'], async ({ deps }) => {
      const summary = await unparkMailboxes(deps, target, io.now()).catch((error: unknown) => {
        throw error instanceof MailboxNotRegisteredError ? notRegistered(options.smtp!) : error;
      });
      if (options.json) printJson(io, summary);
      else printUnparkSummary(io, summary);
      if (summary.failures.length > 0) {
        throw new OperationError(
          `${summary.failures.length} of ${summary.matched} mailbox(es) could not be unparked: ` +
            summary.failures.map((f) => `${f.mailboxId} (${f.error})`).join('; '),
        );
      }
    });
  });
}

interface UnparkFlags {
  smtp?: string;
  all?: boolean;
  reason?: string;
  json?: boolean;
}

export function mailboxCommand(io: CliIo): Command {
  return new Command('mailbox')
    .description('Manage the mailbox registry')
    .addCommand(addCommand(io))
    .addCommand(listCommand(io))
    .addCommand(removeCommand(io))
    .addCommand(parkCommand(io))
    .addCommand(unparkCommand(io))
    .addCommand(migrateCommand(io))
    .addCommand(purgeCommand(io));
}
