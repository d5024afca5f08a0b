import { describe, expect, it } from 'vitest';
import { newFolderCursor, newHierarchyCursor } from '../hierarchy/folder-cursors.js';
import { HIERARCHY_CURSOR_ID, type MirrorItem } from '../model.js';
import { Harness } from '../testing/harness.js';
import { testMailbox } from '../testing/in-memory-registry.js';
import { InMemoryStoredStates } from '../testing/in-memory-stored-states.js';
import type { MirrorEraser, PurgeDeps } from './erasure-ports.js';
import { LeasesStillHeldError, PURGING_REASON, type PurgeProgress, purgeMailbox } from './purge-mailbox.js';

const A = 'a@example.com';
const B = 'b@example.com';

/**
 * Two mailboxes as a sync leaves them (written through the ports, not synced: this tests the
 * purge, not the engine): two folders of 7 items each with one deleted (a tombstone), a hierarchy
 * cursor, and two states stored apart (one no cursor points at any more).
 */
async function twoMailboxes() {
  const h = new Harness();
  for (const mailboxId of [A, B]) {
    await h.registry.put(testMailbox(mailboxId));
    await h.cursors.create(newHierarchyCursor(mailboxId, HIERARCHY_CURSOR_ID, h.clock.now()));
    for (const displayName of ['Inbox', 'Archive']) {
      const folderId = `${displayName}-of-${mailboxId}`;
      await h.cursors.create(
        newFolderCursor(mailboxId, folderId, h.clock.now(), { displayName, version: 4 }),
      );
      const write = { mailboxId, folderId, pageVersion: 3, generation: 0, now: h.clock.now() };
      const items = Array.from({ length: 7 }, (_, i) => `${folderId}-item-${i}`);
      await h.mirror.apply(
        write,
        items.map((itemId) => ({ kind: 'create', itemId, itemType: 'Message', item: { subject: itemId } })),
      );
      await h.mirror.apply({ ...write, pageVersion: 4 }, [{ kind: 'delete', itemId: items[0]! }]);
    }
  }
  const states = new InMemoryStoredStates();
  for (const mailboxId of [A, B]) {
    await states.put(mailboxId, HIERARCHY_CURSOR_ID, 3, 'big hierarchy state');
    await states.put(mailboxId, 'orphan', 1, 'superseded, never deleted');
  }
  const deps: PurgeDeps = {
    registry: h.registry,
    cursors: h.cursors,
    mirror: h.mirror,
    clock: { now: () => h.clock.now(), sleep: async (ms) => h.clock.advance(ms) },
    erasure: { mirror: h.mirror, cursors: h.cursors, states },
  };
  return { h, deps, states };
}

/** Everything stored for a mailbox, by store. */
async function storedFor(
  { h, states }: Awaited<ReturnType<typeof twoMailboxes>>,
  mailboxId: string,
): Promise<unknown> {
  const rows = [...h.mirror.folders].filter(([k, r]) => k.startsWith(`${mailboxId}\u0000`) && r.size > 0);
  const closed = [...h.mirror.closed].filter(([k]) => k.startsWith(`${mailboxId}\u0000`));
  return {
    registry: await h.registry.get(mailboxId),
    slots: h.registry.slots.get(mailboxId)?.filter(Boolean) ?? [],
    cursors: await h.cursors.listByMailbox(mailboxId),
    rows: structuredClone(rows),
    closed,
    states: await states.listStates(mailboxId),
  };
}

const nothing = { registry: undefined, slots: [], cursors: [], rows: [], closed: [], states: [] };

describe('purgeMailbox', () => {
  it('tombstones, then deletes every row, cursor and stored state of the mailbox, and nothing of another', async () => {
    const world = await twoMailboxes();
    const { h, deps } = world;
    await h.registry.acquireSlot(A, 4, 'gone-worker', h.clock.now() - 1, h.clock.now() - 2);
    const otherBefore = await storedFor(world, B);
    expect(await liveRowsOf(h, A)).toBe(12);
    const tombstonedLive: MirrorItem[] = [];
    h.mirror.afterWrite = (before, after) => {
      if (before && !before.deleted && after.deleted) tombstonedLive.push(after);
    };
    const events: PurgeProgress[] = [];

    const result = await purgeMailbox(deps, { mailboxId: A, onProgress: (e) => events.push(e) });

    expect(result).toMatchObject({
      mailboxId: A,
      dryRun: false,
      registered: true,
      nothingStored: false,
      itemRows: 14,
      itemsTombstoned: 12,
      cursors: 3,
      storedStates: 2,
    });
    expect(result.folders.map((f) => [f.displayName, f.rows])).toEqual(
      expect.arrayContaining([
        ['Inbox', 7],
        ['Archive', 7],
      ]),
    );
    // Every live item became a tombstone (a delete on the change feed) before its row went.
    expect(tombstonedLive.every((row) => row.mailboxId === A)).toBe(true);
    expect(tombstonedLive).toHaveLength(12);
    expect(await storedFor(world, A)).toEqual(nothing);
    expect(await storedFor(world, B)).toEqual(otherBefore);
    expect(events.map((e) => e.kind)).toEqual([
      'parked',
      'folder',
      'folder',
      'cursors',
      'states',
      'registry',
    ]);

    // Done is done: a second run finds nothing and says so.
    expect(await purgeMailbox(deps, { mailboxId: A })).toMatchObject({ nothingStored: true, itemRows: 0 });
  });

  it('--dry-run counts what would go and changes nothing, not even the parked state', async () => {
    const world = await twoMailboxes();
    const before = await storedFor(world, A);
    const result = await purgeMailbox(world.deps, { mailboxId: A, dryRun: true });
    expect(result).toMatchObject({
      dryRun: true,
      registered: true,
      itemRows: 14,
      itemsTombstoned: 0,
      cursors: 3,
      storedStates: 2,
    });
    expect(result.folders.map((f) => f.rows)).toEqual([7, 7]);
    expect(await storedFor(world, A)).toEqual(before);
  });

  it('an interrupted purge leaves the mailbox parked, and running it again finishes the job', async () => {
    const world = await twoMailboxes();
    const { h, deps } = world;
    const otherBefore = await storedFor(world, B);
    let deletes = 0;
    const failing: MirrorEraser = {
      countFolderRows: (m, f) => h.mirror.countFolderRows(m, f),
      deleteFolderRows: async (m, f) => {
        if (++deletes === 2) throw new Error('connection reset');
        return h.mirror.deleteFolderRows(m, f);
      },
    };
    await expect(
      purgeMailbox({ ...deps, erasure: { ...deps.erasure, mirror: failing } }, { mailboxId: A }),
    ).rejects.toThrow('connection reset');
    expect(await h.registry.get(A)).toMatchObject({ status: 'parked', parkedReason: PURGING_REASON });
    expect((await h.cursors.listByMailbox(A)).length).toBe(2);

    const resumed = await purgeMailbox(deps, { mailboxId: A });
    expect(resumed).toMatchObject({ registered: true, itemRows: 7, cursors: 2, storedStates: 2 });
    expect(await storedFor(world, A)).toEqual(nothing);
    expect(await storedFor(world, B)).toEqual(otherBefore);
  });

  it('purges by mailbox id a mailbox whose registry row is gone already (mailbox remove)', async () => {
    const world = await twoMailboxes();
    await world.h.registry.remove(A);
    const result = await purgeMailbox(world.deps, { mailboxId: A });
    expect(result).toMatchObject({ registered: false, nothingStored: false, itemRows: 14, cursors: 3 });
    expect(await storedFor(world, A)).toEqual(nothing);
  });

  it('waits for the pages in flight to end (their leases), reporting progress', async () => {
    const world = await twoMailboxes();
    const { h, deps } = world;
    const [folder] = (await h.cursors.listByMailbox(A)).filter((c) => c.folderId !== HIERARCHY_CURSOR_ID);
    const until = h.clock.now() + 10_000;
    await h.cursors.replace(folder!, {
      ...folder!,
      version: folder!.version + 1,
      lease: { owner: 'w', jobId: 'j', until },
    });
    const events: PurgeProgress[] = [];
    await purgeMailbox(deps, { mailboxId: A, pollMs: 3_000, onProgress: (e) => events.push(e) });
    const waits = events.filter((e) => e.kind === 'waiting');
    expect(waits.length).toBeGreaterThanOrEqual(3);
    expect(waits[0]).toMatchObject({ liveLeases: 1, until, waitedMs: 0 });
    expect(h.clock.now()).toBeGreaterThanOrEqual(until);
    expect(await storedFor(world, A)).toEqual(nothing);
  });

  it('gives up after the bounded wait with nothing deleted and the mailbox parked', async () => {
    const world = await twoMailboxes();
    const { h, deps } = world;
    const [folder] = await h.cursors.listByMailbox(A);
    const until = h.clock.now() + 60 * 60_000;
    await h.cursors.replace(folder!, {
      ...folder!,
      version: folder!.version + 1,
      lease: { owner: 'w', jobId: 'j', until },
    });
    const error = await purgeMailbox(deps, { mailboxId: A, maxLeaseWaitMs: 30_000 }).catch((e) => e);
    expect(error).toBeInstanceOf(LeasesStillHeldError);
    expect(error).toMatchObject({ mailboxId: A, folderIds: [folder!.folderId], until, waitedMs: 30_000 });
    expect(await h.registry.get(A)).toMatchObject({ status: 'parked', parkedReason: PURGING_REASON });
    expect(await liveRowsOf(h, A)).toBe(12);
    expect(await world.states.listStates(A)).toHaveLength(2);
  });
});

async function liveRowsOf(h: Harness, mailboxId: string): Promise<number> {
  let live = 0;
  for (const cursor of await h.cursors.listByMailbox(mailboxId))
    live += (await h.mirror.listLive(mailboxId, cursor.folderId)).length;
  return live;
}
