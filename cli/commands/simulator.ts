// `exchange-sync simulator`: serves the Exchange simulator until SIGINT/SIGTERM and prints where
// and how to reach it (the credentials are the simulator's own test credentials).
import { Command, InvalidArgumentError } from 'commander';
import type { RunningSimulator } from '../../simulator/index.js';
import { assertLocalRunDependencies } from '../local/dependencies.js';
import {
  addOrganisationOptions,
  type DeprecatedAlias,
  type OrganisationOptions,
  resolveOrganisation,
} from '../local/organisation-options.js';

export interface SimulatorCommandDeps {
  /** Resolves when the simulator should stop; by default on SIGINT or SIGTERM. */
  waitForStop?: (run: RunningSimulator) => Promise<void>;
  print?: (line: string) => void;
  /** Where deprecation warnings go; stderr by default. */
  warn?: (line: string) => void;
}

const DEFAULTS: OrganisationOptions = {
  mailboxes: 3,
  foldersPerMailbox: 5,
  itemsPerMailbox: 200,
  seed: 1,
  latencyMs: 0,
};

/** The names this command used before it agreed with `local`; each keeps its meaning. */
const DEPRECATED: DeprecatedAlias[] = [
  {
    flag: '--folders',
    key: 'folders',
    use: '--folders-per-mailbox',
    apply: (foldersPerMailbox) => ({ foldersPerMailbox }),
  },
  {
    flag: '--items',
    key: 'items',
    use: '--items-per-mailbox',
    apply: (itemsPerMailbox) => ({ itemsPerMailbox }),
  },
  { flag: '--latency', key: 'latency', use: '--latency-ms', apply: (latencyMs) => ({ latencyMs }) },
];

function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function simulatorCommand(deps: SimulatorCommandDeps = {}): Command {
  const print = deps.print ?? ((line: string) => console.log(line));
  const warn = deps.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const command = new Command('simulator')
    .description('Serve the Exchange simulator (EWS and Microsoft Graph) until stopped')
    .option('--port <port>', 'TCP port (0 picks a free one)', integer('port', 0), 0)
    .option('--host <host>', 'address to listen on', '127.0.0.1');
  return addOrganisationOptions(command, DEFAULTS, DEPRECATED)
    .option('--username <name>', 'Basic account (impersonates the mailboxes)', 'svc-sync@contoso.test')
    .option('--password <password>', 'Basic password', 'simulator')
    .option('--bearer-token <token...>', 'accepted Bearer tokens')
    .option(
      '--concurrent-sync-calls <n>',
      'sync calls allowed in flight per mailbox',
      integer('concurrent-sync-calls', 1),
      5,
    )
    .action(async (options) => {
      const organisation = resolveOrganisation(options, DEPRECATED, warn);
      // Loaded on use: the simulator's XML parser is a dev dependency, which an operator's
      // `npm ci --omit=dev` leaves out; the other commands must load without it.
      assertLocalRunDependencies(['fast-xml-parser']);
      const { startSimulator } = await import('../../simulator/index.js');
      const run = await startSimulator({
        port: options.port,
        host: options.host,
        seed: organisation.seed,
        mailboxes: organisation.mailboxes,
        foldersPerMailbox: organisation.foldersPerMailbox,
        itemsPerMailbox: organisation.itemsPerMailbox,
        username: options.username,
        password: options.password,
        bearerTokens: options.bearerToken ?? [],
        config: {
          concurrentSyncCalls: options.concurrentSyncCalls,
          latency: { fixedMs: organisation.latencyMs, jitterMs: 0 },
        },
      });
      const mailboxes = run.sim.org.mailboxes.map((m) => m.smtp);
      print(`EWS endpoint:  ${run.url}`);
      print(`Admin API:     ${run.adminUrl}/mailboxes`);
      print(`Basic auth:    ${run.username} / ${run.password}`);
      if (run.bearerTokens.length > 0) print(`Bearer tokens: ${run.bearerTokens.length} configured`);
      print(`Mailboxes:     ${mailboxes.length} (${mailboxes[0]} ... ${mailboxes.at(-1)}), impersonate them`);
      print(`Graph base:    ${run.graph.baseUrl}`);
      print(`Graph token:   ${run.graph.tokenUrl}`);
      print(`Graph tenant:  ${run.graph.tenantId}`);
      print(`Graph client:  ${run.graph.clientId} / ${run.graph.clientSecret}`);
      print('Serving until SIGINT/SIGTERM.');
      try {
        await (deps.waitForStop ?? waitForSignal)(run);
      } finally {
        await run.close();
      }
      print('Simulator stopped.');
    });
}
