// `local` and `simulator` describe the simulated organisation with the same options, meaning the
// same; the names each used before are hidden aliases that keep their old meaning and warn once.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.js';
import { localCommand } from '../commands/local.js';
import { simulatorCommand } from '../commands/simulator.js';
import { addOrganisationOptions, type DeprecatedAlias, resolveOrganisation } from './organisation-options.js';

const SHARED = ['--mailboxes', '--folders-per-mailbox', '--items-per-mailbox', '--seed', '--latency-ms'];

function helpOf(command: Command): string {
  return command.helpInformation();
}

describe('organisation options', () => {
  it('are spelled and described alike by local and simulator, the old names hidden', () => {
    const local = helpOf(localCommand());
    const simulator = helpOf(simulatorCommand());
    for (const flag of SHARED) {
      expect(local).toContain(`${flag} <n>`);
      expect(simulator).toContain(`${flag} <n>`);
    }
    const describe = (help: string, flag: string) =>
      new RegExp(`${flag} <n>\\s+(.+?)(?: \\(default|$)`, 'm').exec(help)?.[1];
    for (const flag of ['--folders-per-mailbox', '--items-per-mailbox', '--latency-ms'])
      expect(describe(local, flag), flag).toBe(describe(simulator, flag));
    for (const old of ['--items <', '--folders <', '--latency <', '--folders-per-mailbox <count>']) {
      expect(local).not.toContain(old);
      expect(simulator).not.toContain(old);
    }
  });

  it('applies a deprecated alias with its old meaning and warns once', () => {
    const aliases: DeprecatedAlias[] = [
      {
        flag: '--items',
        key: 'items',
        use: '--items-per-mailbox',
        apply: (items, options) => ({ itemsPerMailbox: Math.ceil(items / options.mailboxes) }),
      },
    ];
    const defaults = { mailboxes: 3, foldersPerMailbox: 5, itemsPerMailbox: 200, seed: 1, latencyMs: 0 };
    const command = addOrganisationOptions(new Command('x').exitOverride(), defaults, aliases);
    command.parse(['--mailboxes', '4', '--items', '1000'], { from: 'user' });
    const warnings: string[] = [];
    const resolved = resolveOrganisation(command.opts(), aliases, (line) => warnings.push(line));
    expect(resolved).toEqual({ ...defaults, mailboxes: 4, itemsPerMailbox: 250 });
    expect(warnings).toEqual(['warning: --items is deprecated: use --items-per-mailbox']);
    expect(resolveOrganisation({ ...defaults }, aliases, (line) => warnings.push(line))).toEqual(defaults);
    expect(warnings).toHaveLength(1);
  });

  it('serves the same organisation from the simulator under the old names, with a warning each', async () => {
    const truths: unknown[] = [];
    const warnings: string[] = [];
    const serve = async (args: string[]) => {
      const root = new Command('exchange-sync').exitOverride();
      root.addCommand(
        simulatorCommand({
          print: () => {},
          warn: (line) => warnings.push(line),
          waitForStop: async (run: RunningSimulator) => {
            truths.push(run.sim.groundTruth());
          },
        }).exitOverride(),
      );
      await root.parseAsync(['simulator', '--seed', '4', '--mailboxes', '1', ...args], { from: 'user' });
    };
    await serve(['--folders-per-mailbox', '2', '--items-per-mailbox', '30', '--latency-ms', '0']);
    expect(warnings).toEqual([]);
    await serve(['--folders', '2', '--items', '30', '--latency', '0']);
    expect(warnings).toEqual([
      'warning: --folders is deprecated: use --folders-per-mailbox',
      'warning: --items is deprecated: use --items-per-mailbox',
      'warning: --latency is deprecated: use --latency-ms',
    ]);
    expect(truths[1]).toEqual(truths[0]);
  });
});
