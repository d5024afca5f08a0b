// `mailbox purge` and `mailbox remove` run in-process against DynamoDB Local and the fauxqs
// bucket; what remains is read raw (test/support/purge-fixtures.ts).
import { beforeEach, describe, expect, it } from 'vitest';
import { ENV } from '../../infra/resources.js';
import type { PurgeResult } from '../../lib/core/operator/purge-mailbox.js';
import type { LocalResources } from '../../local/create-resources.js';
import { resourceEnvironment } from '../../local/index.js';
import { runCliCaptured, useLocalSdkCredentials } from '../support/cli-run.js';
import { useLocalAws } from '../support/local-aws.js';
import { NOTHING_STORED, purgeStores, SEEDED, seedMailbox, storedFor } from '../support/purge-fixtures.js';

const local = useLocalAws();
const ALICE = 'alice@contoso.com';
const BOB = 'bob@contoso.com';

useLocalSdkCredentials();

let resources: LocalResources;
let env: Record<string, string | undefined>;
const cli = (args: string[]) => runCliCaptured(args, env);
const stored = (mailboxId: string) => storedFor(local.clients, resources, mailboxId);

beforeEach(async () => {
  resources = await local.resources();
  env = resourceEnvironment(resources, local.aws.endpoints);
  for (const mailboxId of [ALICE, BOB]) await seedMailbox(local.clients, resources, mailboxId);
});

describe('exchange-sync mailbox purge', () => {
  it('refuses without --yes, and --dry-run shows per folder what would go and changes nothing', async () => {
    const before = await stored(ALICE);
    const refused = await cli(['mailbox', 'purge', '--smtp', 'Alice@Contoso.com']);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toMatch(/cannot be undone: add --yes to confirm \(or --dry-run/);

    const dry = await cli(['mailbox', 'purge', '--smtp', 'Alice@Contoso.com', '--dry-run']);
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    for (const [folderId, [name, rows]] of Object.entries(SEEDED.folders))
      expect(dry.stdout).toMatch(
        new RegExp(`${name}\\s*│\\s*${folderId.replace(/[+/]/g, '\\$&')}\\s*│\\s*${rows}\\b`),
      );
    expect(dry.stdout).toContain(
      `Would delete for Alice@Contoso.com: ${SEEDED.itemRows} item row(s) in 3 folder(s), ${SEEDED.cursors} cursor(s), ` +
        `${SEEDED.storedStates} spilled SyncState(s) and the registry row. Nothing was changed`,
    );
    const json = await cli(['mailbox', 'purge', '--smtp', ALICE, '--dry-run', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ dryRun: true, itemRows: SEEDED.itemRows });
    expect(await stored(ALICE)).toEqual(before);
  });

  it('--yes erases the mailbox, with progress on stderr and one JSON document on stdout', async () => {
    const bob = await stored(BOB);
    const run = await cli(['mailbox', 'purge', '--smtp', 'Alice@Contoso.com', '--yes', '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as PurgeResult;
    expect(result).toMatchObject({
      mailboxId: ALICE,
      dryRun: false,
      itemRows: SEEDED.itemRows,
      itemsTombstoned: SEEDED.liveItems,
      cursors: SEEDED.cursors,
      storedStates: SEEDED.storedStates,
    });
    expect(run.stderr).toContain('Parked the mailbox (Purging)');
    expect(run.stderr).toMatch(/\[1\/3\] .*live item\(s\) tombstoned, \d+ row\(s\) deleted/);
    expect(run.stderr).toContain('Removed the registry row.');
    expect(await stored(ALICE)).toEqual(NOTHING_STORED);
    expect(await stored(BOB)).toEqual(bob);

    const again = await cli(['mailbox', 'purge', '--smtp', ALICE, '--yes']);
    expect(again).toMatchObject({ code: 0 });
    expect(again.stdout).toContain('Nothing is stored for alice@contoso.com');
  });

  it('mailbox remove says what it keeps and points to purge, which then erases by address', async () => {
    const removed = await cli(['mailbox', 'remove', '--smtp', ALICE]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(
      'Kept (nothing was erased): its mirrored item rows in the item table, its cursors and its spilled SyncStates',
    );
    expect(removed.stdout).toContain(`exchange-sync mailbox purge --smtp ${ALICE} --yes`);
    const help = await cli(['mailbox', 'remove', '--help']);
    expect(help.stdout).toMatch(/KEPT \(to\s+erase them: mailbox purge\)/);

    const purged = await cli(['mailbox', 'purge', '--smtp', ALICE, '--yes']);
    expect(purged.code).toBe(0);
    expect(purged.stdout).toContain('(no registry row: removed before)');
    expect(purged.stdout).toContain('point-in-time recovery (35 days)');
    expect(await stored(ALICE)).toEqual(NOTHING_STORED);
  });

  it('waits for a page in flight (its lease) to end, and gives up after --wait with the mailbox parked', async () => {
    const { cursors } = purgeStores(local.clients, resources);
    const [leased] = await cursors.listByMailbox(ALICE);
    await cursors.replace(leased!, {
      ...leased!,
      version: leased!.version + 1,
      // Long enough for the impatient run to meet it on a loaded machine; the patient one waits it out.
      lease: { owner: 'worker', jobId: 'job', until: Date.now() + 15_000 },
    });
    const impatient = await cli(['mailbox', 'purge', '--smtp', ALICE, '--yes', '--wait', '0']);
    expect(impatient.code).toBe(1);
    expect(impatient.stderr).toMatch(
      /1 page\(s\) of alice@contoso.com still hold a lease.*run the purge again/,
    );
    expect((await stored(ALICE)).items.length).toBeGreaterThan(SEEDED.itemRows);
    expect(await cursors.get(ALICE, '#hierarchy')).toBeDefined();

    const patient = await cli(['mailbox', 'purge', '--smtp', ALICE, '--yes']);
    expect(patient.code).toBe(0);
    expect(patient.stderr).toMatch(/Waiting for 1 page\(s\) in flight to end/);
    expect(await stored(ALICE)).toEqual(NOTHING_STORED);
  });

  it('needs the state bucket, and a whole number of seconds to wait', async () => {
    env = { ...env, [ENV.stateBucket]: undefined };
    const run = await cli(['mailbox', 'purge', '--smtp', ALICE, '--yes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${ENV.stateBucket} (or --state-bucket)`);
    const wait = await cli(['mailbox', 'purge', '--smtp', ALICE, '--yes', '--wait', 'soon']);
    expect(wait).toMatchObject({ code: 2, stderr: expect.stringContaining('--wait') });
    expect((await stored(ALICE)).items.length).toBeGreaterThan(SEEDED.itemRows);
  });
});
