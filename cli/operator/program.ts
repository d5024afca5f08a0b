// The exchange-sync command tree and its error policy: a user error is one line on stderr and
// exit code 2, a failed operation exit code 1, never a stack trace unless EXCHANGE_SYNC_DEBUG=1.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { devCommand } from '../commands/dev.js';
import { dlqCommand } from '../commands/dlq.js';
import { localCommand } from '../commands/local.js';
import { mailboxCommand } from '../commands/mailbox.js';
import { resetCommand } from '../commands/reset.js';
import { simulatorCommand } from '../commands/simulator.js';
import { statusCommand } from '../commands/status.js';
import { syncNowCommand } from '../commands/sync-now.js';
import { EXIT, OperationError, UsageError } from './errors.js';
import { type CliIo, processIo } from './io.js';
import { loadEnvFileOption } from './resources.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** Commander settings do not reach commands built elsewhere and added with addCommand. */
function configureTree(command: Command, io: CliIo): void {
  command
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(add --help for usage)');
  for (const sub of command.commands) configureTree(sub, io);
}

export function buildProgram(io: CliIo = processIo()): Command {
  const program = new Command('exchange-sync')
    .description('Keeps copies of many Exchange mailboxes in sync (EWS on premises, Microsoft Graph for Exchange Online)')
    .version(version, '-V, --version', 'print the version')
    .addCommand(localCommand())
    .addCommand(simulatorCommand({ print: (line) => io.out(`${line}\n`) }))
    .addCommand(mailboxCommand(io))
    .addCommand(statusCommand(io))
    .addCommand(syncNowCommand(io))
    .addCommand(resetCommand(io))
    .addCommand(dlqCommand(io))
    .addCommand(devCommand(io))
    // Before any action reads its settings: `--env-file` of an operator command.
    .hook('preAction', (_program, action) => loadEnvFileOption(action, io));
  configureTree(program, io);
  return program;
}

/** Known AWS SDK and network failures, said in the operator's terms. */
function describeFailure(error: Error): { message: string; exitCode: number } {
  const name = error.name;
  const code = (error as { code?: string }).code;
  if (/region is missing/i.test(error.message)) {
    return {
      message: 'no AWS region: set AWS_REGION (or AWS_PROFILE with a region) or pass --region',
      exitCode: EXIT.usage,
    };
  }
  if (name === 'CredentialsProviderError') {
    return {
      message: `no AWS credentials: ${error.message} (set AWS_PROFILE or pass --profile)`,
      exitCode: EXIT.usage,
    };
  }
  if (name === 'ResourceNotFoundException') {
    return {
      message: `a table does not exist: ${error.message} (check MAILBOX_TABLE, CURSOR_TABLE, ITEM_TABLE)`,
      exitCode: EXIT.failure,
    };
  }
  if (name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue') {
    return {
      message: `the sync queue does not exist (check SYNC_QUEUE_URL): ${error.message}`,
      exitCode: EXIT.failure,
    };
  }
  if (code === 'ECONNREFUSED' || name === 'TimeoutError') {
    return { message: `cannot reach the endpoint: ${error.message}`, exitCode: EXIT.failure };
  }
  return { message: `${name}: ${error.message}`, exitCode: EXIT.failure };
}

/** Parses and runs `args` (without node and script); returns the exit code. */
export async function runCli(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message already. Help and version requests succeed.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof OperationError) {
      io.err(`error: ${error.message}\n`);
      return EXIT.failure;
    }
    const failure =
      error instanceof Error ? describeFailure(error) : { message: String(error), exitCode: EXIT.failure };
    io.err(`error: ${failure.message}\n`);
    if (io.env.EXCHANGE_SYNC_DEBUG === '1' && error instanceof Error && error.stack)
      io.err(`${error.stack}\n`);
    return failure.exitCode;
  }
}
