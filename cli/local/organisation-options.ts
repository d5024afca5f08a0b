// The options that describe a simulated organisation, shared by `local` and `simulator` so both
// commands spell and mean them alike: counts are per mailbox, latency is in milliseconds. The
// names each command used before stay as hidden aliases that keep their old meaning and print
// one warning each.
import { type Command, InvalidArgumentError, Option } from 'commander';

export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return value;
  };
}

export interface OrganisationOptions {
  mailboxes: number;
  foldersPerMailbox: number;
  itemsPerMailbox: number;
  seed: number;
  latencyMs: number;
}

/** A former option name: what it now means in the current options, and what to say about it. */
export interface DeprecatedAlias {
  flag: string;
  /** Commander's attribute name of the alias (`--folders` -> `folders`). */
  key: string;
  use: string;
  apply(value: number, options: OrganisationOptions): Partial<OrganisationOptions>;
}

const MAX_COUNT = 10_000_000;

export function addOrganisationOptions(
  command: Command,
  defaults: OrganisationOptions,
  aliases: readonly DeprecatedAlias[],
): Command {
  command
    .option('--mailboxes <n>', 'mailboxes in the organisation', integer(1, 1000), defaults.mailboxes)
    .option(
      '--folders-per-mailbox <n>',
      'custom folders per mailbox (besides the well-known ones)',
      integer(0, 1000),
      defaults.foldersPerMailbox,
    )
    .option('--items-per-mailbox <n>', 'items per mailbox', integer(0, MAX_COUNT), defaults.itemsPerMailbox)
    .option('--seed <n>', 'seed of the organisation, mutations and faults', integer(0), defaults.seed)
    .option('--latency-ms <n>', 'simulated latency per server call', integer(0, 60_000), defaults.latencyMs);
  for (const alias of aliases) {
    command.addOption(new Option(`${alias.flag} <n>`).argParser(integer(0, MAX_COUNT)).hideHelp());
  }
  return command;
}

/** The organisation the flags describe, with each deprecated alias used applied and warned about once. */
export function resolveOrganisation(
  flags: Record<string, unknown>,
  aliases: readonly DeprecatedAlias[],
  warn: (line: string) => void,
): OrganisationOptions {
  let options: OrganisationOptions = {
    mailboxes: flags.mailboxes as number,
    foldersPerMailbox: flags.foldersPerMailbox as number,
    itemsPerMailbox: flags.itemsPerMailbox as number,
    seed: flags.seed as number,
    latencyMs: flags.latencyMs as number,
  };
  for (const alias of aliases) {
    const value = flags[alias.key];
    if (typeof value !== 'number') continue;
    warn(`warning: ${alias.flag} is deprecated: use ${alias.use}`);
    options = { ...options, ...alias.apply(value, options) };
  }
  return options;
}
