// `exchange-sync local` (what `npm start` runs): the whole pipeline on embedded stand-ins.
import Table from 'cli-table3';
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_LOCAL_RUN, type LocalRunOptions } from '../local/options.js';
import { createProgressDisplay } from '../local/progress.js';
import type { LocalRunReport } from '../local/run.js';

function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return value;
  };
}

function rate(raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 0.5)
    throw new InvalidArgumentError('expected a rate from 0 to 0.5');
  return value;
}

export function printReport(report: LocalRunReport, out: NodeJS.WritableStream = process.stdout): void {
  const { summary } = report;
  const rounds = new Table({ head: ['round', 'mutations', 'pages', 'changes applied', 'seconds'] });
  for (const r of report.rounds) {
    rounds.push([r.round, r.mutationsApplied, r.pages, r.changesApplied, (r.durationMs / 1000).toFixed(1)]);
  }
  const totals = new Table();
  totals.push(
    { verified: summary.verified ? 'yes: the mirror equals the server' : 'NO' },
    { mailboxes: summary.mailboxes },
    { 'folders compared': summary.folders },
    { 'server items': summary.serverItems },
    { 'mirrored items': summary.mirroredItems },
    { 'missing / extra / stale': `${summary.missing} / ${summary.extra} / ${summary.stale}` },
    { pages: summary.pages },
    { 'changes applied': summary.changesApplied },
    { 'throttle answers': summary.throttled },
    { 'max concurrent EWS sync calls per mailbox': summary.maxConcurrentSyncCallsPerMailbox },
    { 'max concurrent Graph requests per mailbox': summary.maxConcurrentGraphRequestsPerMailbox },
    ...Object.entries(summary.sources).map(([kind, s]) => ({
      [`${kind}: mailboxes, items (server / mirror), differing`]: `${s.mailboxes}, ${s.serverItems} / ${s.mirroredItems}, ${s.missing + s.extra + s.stale}`,
    })),
    { 'dead letters': report.deadLetters },
    { seconds: (summary.durationMs / 1000).toFixed(1) },
  );
  out.write(`${rounds.toString()}\n${totals.toString()}\n`);
  for (const diff of report.differences) {
    out.write(
      `differs: ${diff.mailboxId} folder ${diff.folderId}: ${diff.missing.length} missing, ` +
        `${diff.extra.length} extra, ${diff.stale.length} stale\n`,
    );
  }
}

export function localCommand(): Command {
  const d = DEFAULT_LOCAL_RUN;
  return new Command('local')
    .description(
      'sync a generated organisation from the bundled Exchange simulator through the real handlers on DynamoDB Local and an SQS emulator, mutate it, sync again and verify the mirror',
    )
    .option('--mailboxes <n>', 'mailboxes in the organisation', integer(1, 1000), d.mailboxes)
    .option('--folders-per-mailbox <n>', 'custom folders per mailbox', integer(0, 1000), d.foldersPerMailbox)
    .option('--items <n>', 'items in the whole organisation', integer(0, 10_000_000), d.items)
    .option('--rounds <n>', 'sync rounds (1 = full sync only)', integer(1, 100), d.rounds)
    .option('--mutations <n>', 'random mutations before each later round', integer(0, 1_000_000), d.mutations)
    .option('--page-size <n>', 'MaxChangesReturned per SyncFolderItems call', integer(1, 512), d.pageSize)
    .option(
      '--concurrency-per-mailbox <n>',
      'sync calls in flight per mailbox',
      integer(1, 5),
      d.concurrencyPerMailbox,
    )
    .option('--latency-ms <n>', 'simulated EWS latency per call', integer(0, 60_000), d.latencyMs)
    .option('--fault-rate <r>', 'share of EWS calls that fail or are throttled (0..0.5)', rate, d.faultRate)
    .option('--seed <n>', 'seed of the organisation, mutations and faults', integer(0), d.seed)
    .option('--worker-concurrency <n>', 'worker invocations at once', integer(1, 256), d.workerConcurrency)
    .option(
      '--source <kind>',
      'sync through ews, graph (Microsoft Graph delta) or mixed (mailboxes alternate)',
      (value: string) => {
        if (value !== 'ews' && value !== 'graph' && value !== 'mixed')
          throw new InvalidArgumentError('must be ews, graph or mixed');
        return value;
      },
      d.source,
    )
    .option('--handler-logs', "keep the handlers' JSON logs (stdout)", false)
    .option('--json', 'print only a JSON summary on stdout (progress stays on stderr)', false)
    .action(async (flags: Partial<LocalRunOptions> & { json: boolean }) => {
      const options: LocalRunOptions = { ...DEFAULT_LOCAL_RUN, ...flags };
      const progress = createProgressDisplay();
      let report: LocalRunReport;
      try {
        // Loaded on use: the stand-ins, the simulator and the handlers take a while to import.
        const { runLocal } = await import('../local/run.js');
        report = await runLocal(options, progress.listener);
      } finally {
        progress.stop();
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(report.summary)}\n`);
      else printReport(report);
      process.exitCode = report.summary.verified ? 0 : 1;
    });
}
