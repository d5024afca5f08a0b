// `mailbox purge` end to end on the real local parts: the core's purgeMailbox over the DynamoDB
// adapters (DynamoDB Local) and the S3 state store (fauxqs). What remains is read raw.
import { describe, expect, it } from 'vitest';
import type { MirrorEraser } from '../../lib/core/operator/erasure-ports.js';
import { PURGING_REASON, purgeMailbox } from '../../lib/core/operator/purge-mailbox.js';
import { useLocalAws } from '../support/local-aws.js';
import {
  NOTHING_STORED,
  purgeDeps,
  purgeStores,
  SEEDED,
  seedMailbox,
  storedFor,
} from '../support/purge-fixtures.js';

const local = useLocalAws();
const ALICE = 'alice@contoso.com';
/** Alice's address is a prefix of hers: every key of Alice's is a prefix of one of hers too. */
const OTHER = 'alice@contoso.com.au';

async function twoMailboxes() {
  const res = await local.resources();
  for (const mailboxId of [ALICE, OTHER]) await seedMailbox(local.clients, res, mailboxId);
  const stored = (mailboxId: string) => storedFor(local.clients, res, mailboxId);
  return { res, deps: purgeDeps(local.clients, res), stored };
}

describe('mailbox purge on DynamoDB Local and the fauxqs bucket', () => {
  it('leaves no row, cursor or object of the mailbox, and every other mailbox untouched', async () => {
    const { deps, stored } = await twoMailboxes();
    const before = await stored(ALICE);
    expect(before.registry).toHaveLength(2); // the mailbox row and a slot row
    expect(before.items.length).toBeGreaterThan(SEEDED.itemRows); // closed markers too
    expect(before.objects).toHaveLength(SEEDED.storedStates);
    const other = await stored(OTHER);

    const result = await purgeMailbox(deps, { mailboxId: ALICE });

    expect(result).toMatchObject({
      registered: true,
      itemRows: SEEDED.itemRows,
      itemsTombstoned: SEEDED.liveItems,
      cursors: SEEDED.cursors,
      storedStates: SEEDED.storedStates,
    });
    expect(result.folders.map((f) => [f.displayName, f.rows]).sort()).toEqual(
      Object.values(SEEDED.folders).sort(),
    );
    expect(await stored(ALICE)).toEqual(NOTHING_STORED);
    expect(await stored(OTHER)).toEqual(other);
  });

  it('--dry-run counts per folder and deletes nothing', async () => {
    const { deps, stored } = await twoMailboxes();
    const before = await stored(ALICE);
    const result = await purgeMailbox(deps, { mailboxId: ALICE, dryRun: true });
    expect(result).toMatchObject({
      dryRun: true,
      itemRows: SEEDED.itemRows,
      itemsTombstoned: 0,
      cursors: SEEDED.cursors,
      storedStates: SEEDED.storedStates,
    });
    expect(Object.fromEntries(result.folders.map((f) => [f.folderId, f.rows]))).toEqual(
      Object.fromEntries(Object.entries(SEEDED.folders).map(([id, [, rows]]) => [id, rows])),
    );
    expect(await stored(ALICE)).toEqual(before);
  });

  it('an interrupted purge (a store failing after the first folder) completes when run again', async () => {
    const { res, deps, stored } = await twoMailboxes();
    const other = await stored(OTHER);
    const real = purgeStores(local.clients, res).erasure.mirror;
    let calls = 0;
    const failing: MirrorEraser = {
      countFolderRows: (m, f) => real.countFolderRows(m, f),
      deleteFolderRows: async (m, f) => {
        if (++calls > 1) throw new Error('ProvisionedThroughputExceededException');
        return real.deleteFolderRows(m, f);
      },
    };
    await expect(
      purgeMailbox({ ...deps, erasure: { ...deps.erasure, mirror: failing } }, { mailboxId: ALICE }),
    ).rejects.toThrow('ProvisionedThroughputExceededException');
    const halfway = await stored(ALICE);
    expect(halfway.cursors).toHaveLength(SEEDED.cursors - 1);
    expect(await deps.registry.get(ALICE)).toMatchObject({ status: 'parked', parkedReason: PURGING_REASON });

    const resumed = await purgeMailbox(deps, { mailboxId: ALICE });
    expect(resumed).toMatchObject({ registered: true, cursors: SEEDED.cursors - 1 });
    expect(await stored(ALICE)).toEqual(NOTHING_STORED);
    expect(await stored(OTHER)).toEqual(other);
  });

  it('purges by id a mailbox whose registry row was removed before', async () => {
    const { deps, stored } = await twoMailboxes();
    await deps.registry.remove(ALICE);
    const result = await purgeMailbox(deps, { mailboxId: ALICE });
    expect(result).toMatchObject({ registered: false, itemRows: SEEDED.itemRows, cursors: SEEDED.cursors });
    expect(await stored(ALICE)).toEqual(NOTHING_STORED);
  });
});
