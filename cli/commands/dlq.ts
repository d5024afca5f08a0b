// `exchange-sync dlq list|redrive`: the sync queue's dead letters. The use cases are the core's
// (lib/core/operator/dead-letters.ts, redrive-dead-letters.ts); this parses and renders.
import { Command, InvalidArgumentError } from 'commander';
import type { Container } from '../../lib/app/container.js';
import { HIERARCHY_CURSOR_ID } from '../../lib/core/index.js';
import type { DeadLetterQueue } from '../../lib/core/operator/dead-letter-ports.js';
import { type DeadLetterView, listDeadLetters } from '../../lib/core/operator/dead-letters.js';
import { type RedriveEntry, redriveDeadLetters } from '../../lib/core/operator/redrive-dead-letters.js';
import { OperationError } from '../operator/errors.js';
import type { CliIo } from '../operator/io.js';
import { isoOrNull, printJson, printTable } from '../operator/render.js';
import { type ResourceFlags, withContainer, withResourceOptions } from '../operator/resources.js';

const NOT_RECORDED =
  'Reasons not recorded: the queue moved those jobs after their last retry and keeps no reason; ' +
  'the worker logs each failure as "sync job failed" with the message id shown.\n';

function limit(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidArgumentError('expected a whole number, 1 or more');
  return value;
}

/** The reader, or a failure that names the queue the operator should check. */
async function withDeadLetters<T>(
  flags: ResourceFlags,
  io: CliIo,
  needs: Parameters<typeof withContainer>[2],
  task: (container: Container, reader: DeadLetterQueue) => Promise<T>,
): Promise<T> {
  try {
    return await withContainer(flags, io, [...needs, 'deadLetterQueueUrl'], (container) =>
      task(container, container.deadLetterReader!),
    );
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue')
      throw new OperationError(`a queue does not exist (check DEAD_LETTER_QUEUE_URL and SYNC_QUEUE_URL)`);
    throw error;
  }
}

const folderOf = (v: DeadLetterView) =>
  v.folderId === undefined ? '-' : v.folderId === HIERARCHY_CURSOR_ID ? '(hierarchy)' : v.folderId;

const reasonOf = (v: DeadLetterView) => (v.reasonRecorded ? v.reason : 'not recorded (see below)');

const asJson = <V extends DeadLetterView>(v: V) => ({ ...v, sentAt: isoOrNull(v.sentAt) });

function listCommand(io: CliIo): Command {
  return withResourceOptions(
    new Command('list')
      .description(
        'Show dead-lettered sync jobs with their reason, without consuming them (each one read counts a receive)',
      )
      .option('--limit <n>', 'show at most this many', limit, 100)
      .option('--json', 'print one JSON document'),
  ).action(async (options: ResourceFlags & { limit: number; json?: boolean }) => {
    await withDeadLetters(options, io, [], async (_container, reader) => {
      const views = await listDeadLetters(reader, options.limit);
      if (options.json) return printJson(io, views.map(asJson));
      if (views.length === 0) return io.out('The dead-letter queue is empty.\n');
      printTable(
        io,
        ['Message id', 'Kind', 'Mailbox', 'Folder', 'Receives', 'First sent', 'Reason'],
        views.map((v) => [
          v.messageId,
          v.kind,
          v.mailboxId ?? '-',
          folderOf(v),
          v.receiveCount,
          isoOrNull(v.sentAt) ?? '?',
          reasonOf(v),
        ]),
      );
      if (views.some((v) => !v.reasonRecorded)) io.out(NOT_RECORDED);
      if (views.length === options.limit) io.out(`Showing the first ${options.limit}; --limit shows more.\n`);
    });
  });
}

const ACTION_TEXT: Record<RedriveEntry['action'], string> = {
  started: 'new chain started',
  running: 'a chain is running: nothing started',
  superseded: 'fan-out continuation: every tick scans again',
  invalid: 'not a job',
  orphan: 'mailbox or folder gone',
  parked: 'mailbox parked: unpark it, then redrive',
};

function redriveCommand(io: CliIo): Command {
  return withResourceOptions(
    new Command('redrive')
      .description(
        'Plan each dead-lettered job again from its mailbox and folder (a new chain unless one is running), ' +
          'then delete it; messages that are not jobs and jobs of gone mailboxes are kept unless dropped',
      )
      .option('--limit <n>', 'look at most at this many dead letters', limit, 1000)
      .option('--dry-run', 'say what would be done; start and delete nothing')
      .option('--drop-invalid', 'delete messages that are not jobs')
      .option('--drop-orphans', 'delete jobs whose mailbox (or folder) no longer exists')
      .option('--json', 'print one JSON document'),
  ).action(
    async (
      options: ResourceFlags & {
        limit: number;
        dryRun?: boolean;
        dropInvalid?: boolean;
        dropOrphans?: boolean;
        json?: boolean;
      },
    ) => {
      const needs = ['mailboxTable', 'cursorTable', 'queueUrl'] as const;
      await withDeadLetters(options, io, [...needs], async ({ deps }, reader) => {
        const would = options.dryRun ? 'would be ' : '';
        const result = await redriveDeadLetters(
          { ...deps, clock: { now: io.now }, deadLetters: reader },
          {
            limit: options.limit,
            dryRun: options.dryRun,
            dropInvalid: options.dropInvalid,
            dropOrphans: options.dropOrphans,
            onEntry: (e) =>
              io.err(
                `${e.messageId} ${e.kind}${e.mailboxId ? ` ${e.mailboxId}` : ''}` +
                  `${e.folderId ? `/${folderOf(e)}` : ''}: ${ACTION_TEXT[e.action]}; ${would}${e.letter}\n`,
              ),
          },
        );
        const entries = result.entries;
        if (options.json) return printJson(io, { dryRun: result.dryRun, entries: entries.map(asJson) });
        if (entries.length === 0) return io.out('The dead-letter queue is empty.\n');
        printTable(
          io,
          [
            'Message id',
            'Kind',
            'Mailbox',
            'Folder',
            'Reason',
            'Action',
            options.dryRun ? 'Would be' : 'Message',
          ],
          entries.map((e) => [
            e.messageId,
            e.kind,
            e.mailboxId ?? '-',
            folderOf(e),
            reasonOf(e),
            ACTION_TEXT[e.action],
            e.letter,
          ]),
        );
        if (entries.some((e) => !e.reasonRecorded)) io.out(NOT_RECORDED);
        const kept = entries.filter((e) => e.letter === 'kept');
        if (kept.some((e) => e.action === 'invalid'))
          io.out('Messages that are not jobs stay; --drop-invalid deletes them.\n');
        if (kept.some((e) => e.action === 'orphan'))
          io.out('Jobs of gone mailboxes or folders stay; --drop-orphans deletes them.\n');
      });
    },
  );
}

export function dlqCommand(io: CliIo): Command {
  return new Command('dlq')
    .description("The sync queue's dead letters: list them, or plan their jobs again")
    .addCommand(listCommand(io))
    .addCommand(redriveCommand(io));
}
