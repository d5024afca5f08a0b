// Pages that go on after their invocation returned (an early timeout froze the environment with
// the page pending; it thawed at a later invocation, long after its lease expired), each race
// forced step by step on the real parts: DynamoDB Local and the simulator over HTTP. These are
// the losses an outside chaos harness reproduced; each test failed before its fix.
import { afterEach, describe, expect, it } from 'vitest';
import { runSyncJob } from '../../lib/core/index.js';
import { Gate, gated } from '../support/gates.js';
import { useLocalAws } from '../support/local-aws.js';
import { LEASE_MS, type RaceWorld, startRaceWorld } from '../support/race-world.js';

const local = useLocalAws();
let world: RaceWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

/** A world whose folder holds `items` items, its hierarchy synced, and the folder's first job. */
async function folderJobOf(items: number) {
  world = await startRaceWorld(local, items);
  await world.syncHierarchy();
  return { w: world, job: world.take((j) => j.type === 'folder') };
}

describe('a page that thaws after its lease expired', () => {
  it('meets a takeover: the item it wrote is not lost (the lease write pins the row it read)', async () => {
    const { w, job } = await folderJobOf(2);

    // 1. Worker A leases the folder's first page, fetches it (one create) and freezes before
    //    writing it.
    const frozen = new Gate();
    const a = runSyncJob({ ...w.deps, mirror: gated(w.deps.mirror, 'apply', frozen) }, job, w.context('A'));
    await frozen.reached;

    // 2. A's lease expires and the message comes back: worker B finds an expired lease of the
    //    same job (a takeover, so a resync from scratch) and is about to write its lease.
    w.clock.advance(LEASE_MS + 1);
    const leaseWrite = new Gate();
    const b = runSyncJob(
      { ...w.deps, cursors: gated(w.deps.cursors, 'replace', leaseWrite) },
      job,
      w.context('B'),
    );
    await leaseWrite.reached;

    // 3. A thaws before B's lease write lands: it writes its item and advances the cursor.
    frozen.open();
    expect(await a).toMatchObject({ outcome: 'advanced' });

    // 4. B's lease write goes on, and its call is refused (HTTP 503), so B hands the page to a retry job:
    //    that job starts from the SyncState stored in the row. It must not be A's (a "resync from
    //    scratch" from A's state never sees A's item again, and its final sweep removes it).
    w.simulator.sim.configure({ faults: { http503: 1 } });
    leaseWrite.open();
    await b;
    w.simulator.sim.configure({ faults: { http503: 0 } });
    w.clock.advance(60_000);
    await w.drain();
    await w.expectMirrorEqualsServer();
    expect(await w.cursor()).toMatchObject({ status: 'idle' });
    expect((await w.cursor()).lease).toBeUndefined();
  });

  it('meets a folder marked gone: its late write leaves no phantom item under the deleted folder', async () => {
    const { w, job } = await folderJobOf(1);

    // A fetches the folder's only item and freezes before writing it.
    const frozen = new Gate();
    const a = runSyncJob({ ...w.deps, mirror: gated(w.deps.mirror, 'apply', frozen) }, job, w.context('A'));
    await frozen.reached;

    // The folder is deleted on the server; A's lease expires; the redelivered job takes over,
    // finds the folder gone, tombstones it and marks it gone (which ends the lease).
    w.server.deleteFolder(w.folderSerial);
    w.clock.advance(LEASE_MS + 1);
    expect(await runSyncJob(w.deps, job, w.context('B'))).toMatchObject({ outcome: 'gone' });
    expect(await w.cursor()).toMatchObject({ stop: { reason: 'gone' } });

    // A thaws and writes: the item must not become live under the gone folder.
    frozen.open();
    expect((await a).outcome).toBe('lease-lost');
    expect(await w.deps.mirror.listLive(w.mailbox.mailboxId, w.folderId)).toEqual([]);

    // Nothing later brings it back either.
    await w.drain();
    w.clock.advance(LEASE_MS + 1);
    await w.syncHierarchy();
    await w.drain();
    expect(await w.deps.mirror.listLive(w.mailbox.mailboxId, w.folderId)).toEqual([]);
  });
});

describe('a hierarchy write racing a lease holder', () => {
  it('cannot undo the holder’s advance (its write pins the row it read)', async () => {
    const { w, job } = await folderJobOf(2);

    // A holds the folder's lease, frozen before it writes its page.
    const frozen = new Gate();
    const a = runSyncJob({ ...w.deps, mirror: gated(w.deps.mirror, 'apply', frozen) }, job, w.context('A'));
    await frozen.reached;

    // The folder is renamed; the hierarchy reads the folder's cursor (A's lease in it) and stops
    // right before writing the new name.
    w.server.renameFolder(w.folderSerial, 'Race (renamed)');
    const write = new Gate();
    const hierarchy = w.syncHierarchy({
      ...w.deps,
      cursors: gated(w.deps.cursors, 'writeFacts', write, {
        when: (args) => (args[0] as { folderId: string }).folderId === w.folderId,
      }),
    });
    await write.reached;

    // A advances (and promises its follow-up); then the hierarchy's write goes on.
    frozen.open();
    expect(await a).toMatchObject({ outcome: 'advanced' });
    write.open();
    await hierarchy;

    const cursor = await w.cursor();
    expect(cursor.displayName).toBe('Race (renamed)');
    expect(cursor.lease, 'the hierarchy restored a lease that had ended').toBeUndefined();
    // The promised follow-up still owns the folder and finishes the chain: no stuck cursor, no
    // takeover resync.
    const outcomes = await w.drain();
    expect(outcomes.map((o) => o.outcome)).not.toContain('dropped-stale');
    await w.expectMirrorEqualsServer();
    const after = await w.cursor();
    expect(after).toMatchObject({ status: 'idle', generation: 0, displayName: 'Race (renamed)' });
    expect(after.lease).toBeUndefined();
  });
});
