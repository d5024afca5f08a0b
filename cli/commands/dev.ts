// `exchange-sync dev` (what `npm run dev` runs): the local stack kept running until Ctrl-C, with
// the worker and the scheduler at work, so the operator commands can be tried from a second
// terminal against it (`--env-file`, or the shell exports it prints).
// The npm script is `exec node --import tsx -- cli/main.ts dev`: with `--`, Node 20 does not take
// the command's `--env-file <not yet written>` for its own flag and exit (nodejs/node#54232);
// with `exec`, npm's forwarded Ctrl-C reaches this process instead of killing the shell between,
// so npm waits for the clean stop and exits with its code.
import { renameSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { assertLocalRunDependencies } from '../local/dependencies.js';
import { DEFAULT_DEV_STACK, type DevStackOptions } from '../local/dev-options.js';
import type { DevStack } from '../local/dev-stack.js';
import { addOrganisationOptions, integer, resolveOrganisation } from '../local/organisation-options.js';
import type { WorkerCounters } from '../local/stack.js';
import { formatEnvLines } from '../operator/env-file.js';
import { UsageError } from '../operator/errors.js';
import type { CliIo } from '../operator/io.js';

type DevFlags = Omit<DevStackOptions, 'organisation'> & Record<string, unknown> & { envFile?: string };

/** Resolves at the first SIGINT or SIGTERM; later ones are ignored while everything stops. */
function stopSignal(): { signalled: Promise<NodeJS.Signals>; dispose(): void } {
  let resolve: (signal: NodeJS.Signals) => void = () => {};
  const signalled = new Promise<NodeJS.Signals>((r) => {
    resolve = r;
  });
  // Kept until dispose: `npm run dev` forwards the terminal's Ctrl-C a second time, which must not
  // kill the process halfway through stopping.
  const listener = (signal: NodeJS.Signals) => resolve(signal);
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return {
    signalled,
    dispose() {
      process.off('SIGINT', listener);
      process.off('SIGTERM', listener);
    },
  };
}

/** Written whole or not at all: a second terminal polling for the file never reads half of it. */
function writeEnvFile(path: string, environment: Record<string, string>): void {
  const header =
    `# Written by \`exchange-sync dev\` (pid ${process.pid}) at ${new Date().toISOString()}; ` +
    'valid while it runs.\n# Use: exchange-sync <command> --env-file <this file>. The lines are valid sh as well.\n';
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, header + formatEnvLines(environment));
  renameSync(temporary, path);
}

function printStack(io: CliIo, dev: DevStack, options: DevStackOptions, envFile: string | undefined): void {
  const { simulator, aws } = dev.stack;
  const env = dev.environment;
  const mailboxes = env.SIMULATOR_MAILBOXES!.split(' ');
  const withFile = envFile ? ` --env-file ${envFile}` : '';
  io.out(
    [
      'exchange-sync dev is running; Ctrl-C stops it and everything it started.',
      '',
      `  DynamoDB Local    ${aws.endpoints.dynamodb}`,
      `  SQS and S3        ${aws.endpoints.sqs} (fauxqs)`,
      `  EWS               ${simulator.url} (Basic ${simulator.username} / ${simulator.password})`,
      `  Graph             ${simulator.graph.baseUrl} (tenant ${simulator.graph.tenantId})`,
      `  Simulator admin   ${simulator.adminUrl} (GET /mailboxes, POST /mutate, see simulator/README.md)`,
      `  Mailboxes         ${mailboxes.join(', ')}: credentials ${dev.credentials.ews} (EWS), ${dev.credentials.graph} (Graph)`,
      `  Registered        ${dev.registered.length > 0 ? dev.registered.join(', ') : 'none yet (see below)'}`,
      `  Scheduler         a tick every ${options.tickSeconds} s, each folder synced every ${options.syncIntervalMinutes} min (sync-now: at once)`,
      `  Worker            ${options.workerConcurrency} invocations at once`,
      '',
      envFile
        ? `Settings written to ${envFile}; pass --env-file ${envFile} to any command, or in a shell:`
        : 'In a second terminal:',
      formatEnvLines(env, 'export ').trimEnd(),
      '',
      'Try:',
      `  npx exchange-sync mailbox add${withFile} --smtp ${mailboxes[0]} --endpoint ${simulator.url} --credentials ${dev.credentials.ews} --allow-insecure-http`,
      `  npx exchange-sync status${withFile} --smtp ${mailboxes[0]}`,
      '',
    ].join('\n'),
  );
}

function activityLine(now: WorkerCounters, before: WorkerCounters): string {
  const time = new Date().toISOString().slice(11, 19);
  const throttled = now.throttled > before.throttled ? `, ${now.throttled - before.throttled} throttled` : '';
  return (
    `${time} worker: ${now.pages - before.pages} pages, ${now.changesApplied - before.changesApplied} changes` +
    `${throttled} (since start: ${now.pages} pages, ${now.changesApplied} changes)\n`
  );
}

export function devCommand(io: CliIo): Command {
  const d = DEFAULT_DEV_STACK;
  const command = new Command('dev').description(
    'run DynamoDB Local, fauxqs, the Exchange simulator, the worker and the scheduler until Ctrl-C, for trying the operator commands from another terminal',
  );
  return addOrganisationOptions(command, d.organisation, [])
    .option(
      '--register <n>',
      "register the organisation's first n mailboxes at start (0: none, add them with mailbox add)",
      integer(0, 1000),
      d.register,
    )
    .option(
      '--env-file <file>',
      'write the settings as KEY=value lines, for `--env-file <file>` of the other commands',
    )
    .option('--tick-seconds <n>', 'seconds between two scheduler ticks', integer(1, 3600), d.tickSeconds)
    .option(
      '--sync-interval-minutes <n>',
      'minutes between two syncs of a folder started by the tick (0: at every tick)',
      integer(0, 1440),
      d.syncIntervalMinutes,
    )
    .option('--worker-concurrency <n>', 'worker invocations at once', integer(1, 64), d.workerConcurrency)
    .option('--handler-logs', "print the handlers' JSON logs", false)
    .action(async (flags: DevFlags) => {
      const options: DevStackOptions = {
        organisation: resolveOrganisation(flags, [], (line) => io.err(`${line}\n`)),
        register: flags.register,
        tickSeconds: flags.tickSeconds,
        syncIntervalMinutes: flags.syncIntervalMinutes,
        workerConcurrency: flags.workerConcurrency,
        handlerLogs: flags.handlerLogs,
      };
      if (options.register > options.organisation.mailboxes) {
        throw new UsageError(
          `--register ${options.register}: the organisation has ${options.organisation.mailboxes} mailboxes (--mailboxes)`,
        );
      }
      assertLocalRunDependencies();
      await runDevStack(io, options, flags.envFile);
    });
}

async function runDevStack(io: CliIo, options: DevStackOptions, envFile: string | undefined): Promise<void> {
  const stop = stopSignal();
  try {
    io.err('Starting DynamoDB Local, fauxqs and the simulator...\n');
    // Loaded on use: the stand-ins, the simulator and the handlers take a while to import.
    const { startDevStack } = await import('../local/dev-stack.js');
    let printed: WorkerCounters = { jobs: 0, pages: 0, changesApplied: 0, throttled: 0, retried: 0 };
    const dev = await startDevStack(options, {
      onTick: (activity) => {
        // Folders are synced again at every interval: only changes to the mirror and throttling are news.
        if (activity.changesApplied === printed.changesApplied && activity.throttled === printed.throttled)
          return;
        io.out(activityLine(activity, printed));
        printed = activity;
      },
      onError: (error, what) =>
        io.err(`${what} failed: ${error instanceof Error ? error.message : String(error)}\n`),
    });
    try {
      if (envFile) writeEnvFile(envFile, dev.environment);
      printStack(io, dev, options, envFile);
      const signal = await stop.signalled;
      io.err(`${signal}: stopping...\n`);
    } finally {
      await dev.stop();
    }
    io.err('Stopped.\n');
  } finally {
    stop.dispose();
  }
}
