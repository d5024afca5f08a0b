// `exchange-sync local` (what `npm start` runs): the whole pipeline on embedded stand-ins.
import { Command, InvalidArgumentError } from 'commander';
import { assertLocalRunDependencies } from '../local/dependencies.js';
import { DEFAULT_LOCAL_RUN, type LocalRunOptions } from '../local/options.js';
import {
  addOrganisationOptions,
  type DeprecatedAlias,
  integer,
  resolveOrganisation,
} from '../local/organisation-options.js';
import type { LocalRunReport } from '../local/run.js';

// `dev` parses its counts with the same parser.

/** `--items` counted the whole organisation; kept, with that meaning, for old scripts. */
const DEPRECATED: DeprecatedAlias[] = [
  {
    flag: '--items',
    key: 'items',
    use: '--items-per-mailbox (--items counted the whole organisation)',
    apply: (items, options) => ({ itemsPerMailbox: Math.ceil(items / options.mailboxes) }),
  },
];

function rate(raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 0.5)
    throw new InvalidArgumentError('expected a rate from 0 to 0.5');
  return value;
}

export function localCommand(): Command {
  const d = DEFAULT_LOCAL_RUN;
  const command = new Command('local').description(
    'sync a generated organisation from the bundled Exchange simulator through the real handlers on DynamoDB Local and an SQS emulator, mutate it, sync again and verify the mirror',
  );
  return addOrganisationOptions(command, d, DEPRECATED)
    .option('--rounds <n>', 'sync rounds (1 = full sync only)', integer(1, 100), d.rounds)
    .option('--mutations <n>', 'random mutations before each later round', integer(0, 1_000_000), d.mutations)
    .option('--page-size <n>', 'MaxChangesReturned per SyncFolderItems call', integer(1, 512), d.pageSize)
    .option(
      '--concurrency-per-mailbox <n>',
      'sync calls in flight per mailbox',
      integer(1, 5),
      d.concurrencyPerMailbox,
    )
    .option('--fault-rate <r>', 'share of EWS calls that fail or are throttled (0..0.5)', rate, d.faultRate)
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
    .action(async (flags: Partial<LocalRunOptions> & { json: boolean; items?: number }) => {
      const { items: _items, ...rest } = flags;
      const organisation = resolveOrganisation(flags, DEPRECATED, (line) =>
        process.stderr.write(`${line}\n`),
      );
      const options: LocalRunOptions = { ...DEFAULT_LOCAL_RUN, ...rest, ...organisation };
      assertLocalRunDependencies();
      // Loaded on use: the stand-ins, the simulator and the handlers take a while to import, and
      // the progress bar and the stand-ins are dev dependencies.
      const { createProgressDisplay } = await import('../local/progress.js');
      const progress = createProgressDisplay();
      let report: LocalRunReport;
      try {
        const { runLocal } = await import('../local/run.js');
        report = await runLocal(options, progress.listener);
      } finally {
        progress.stop();
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(report.summary)}\n`);
      else (await import('../local/report.js')).printReport(report);
      process.exitCode = report.summary.verified ? 0 : 1;
    });
}
