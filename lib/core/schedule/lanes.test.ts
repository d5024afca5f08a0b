// A mailbox with many folders: its due folders start in lanes, one per slot, as the slots free,
// instead of all racing for them (lanes.ts). Counted on the in-memory harness with concurrent
// workers: slot misses (jobs re-queued because every slot was held) and slot writes per page.
import { describe, expect, it } from 'vitest';
import { MailSourceError } from '../errors.js';
import { newFolderCursor } from '../hierarchy/folder-cursors.js';
import type { FolderJob } from '../jobs/builders.js';
import { MAX_LANE_FOLDERS } from '../jobs/builders.js';
import type { JobOutcome } from '../jobs/job-kind.js';
import type { PageOutcome } from '../outcome.js';
import type { MailboxRegistry } from '../ports.js';
import { Harness } from '../testing/harness.js';
import { fanOutTick } from './fan-out-tick.js';
import { laneCount, planLanes, SYNCED_FOLDERS_PER_LANE } from './lanes.js';

const A = 'a@example.com';
const SLOTS = 4;

/** Counts the slot writes that succeed and the acquisitions that find every slot held. */
function countSlotWrites(h: Harness) {
  const counts = { writes: 0, misses: 0 };
  const registry: MailboxRegistry = h.registry;
  const { acquireSlot, releaseSlot } = registry;
  registry.acquireSlot = async (...args) => {
    const slot = await acquireSlot.apply(registry, args);
    if (slot === undefined) counts.misses++;
    else counts.writes++;
    return slot;
  };
  registry.releaseSlot = async (mailboxId, slot, owner) => {
    const before = h.registry.slots.get(mailboxId)?.[slot]?.owner;
    await releaseSlot.call(registry, mailboxId, slot, owner);
    if (before === owner) counts.writes++;
  };
  return counts;
}

async function manyFolders(folders: number, itemsPerFolder = 2) {
  const h = new Harness({ seed: 3 });
  await h.addMailbox(A, { maxConcurrentSyncs: SLOTS });
  for (let i = 0; i < folders; i++) {
    const folderId = h.server.addFolder(A, { displayName: `f${i}` });
    for (let n = 0; n < itemsPerFolder; n++) h.server.createItem(A, folderId);
  }
  // Each call yields a few times, so pages of concurrent workers overlap at the server.
  h.server.gate = async () => {
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  return h;
}

const pagesOf = (outcomes: JobOutcome[]) =>
  outcomes.filter((o): o is PageOutcome => o.type === 'folder' || o.type === 'hierarchy');
const byOutcome = (outcomes: JobOutcome[], kind: string) =>
  pagesOf(outcomes).filter((o) => o.outcome === kind);

async function tickConcurrently(h: Harness, workers: number): Promise<JobOutcome[]> {
  await fanOutTick(h.deps, h.context());
  return h.runConcurrently(workers);
}

describe('a mailbox with many folders', () => {
  it('starts its folders as slots free: no slot misses, every folder synced once', async () => {
    const h = await manyFolders(120);
    const outcomes = await tickConcurrently(h, 16);
    expect(byOutcome(outcomes, 'no-slot')).toHaveLength(0);
    const hierarchy = byOutcome(outcomes, 'completed').find((o) => o.type === 'hierarchy');
    expect(hierarchy).toMatchObject({ enqueued: SLOTS, foldersDue: 120 });
    const completed = byOutcome(outcomes, 'completed').filter((o) => o.type === 'folder');
    expect(completed).toHaveLength(120);
    expect(new Set(completed.map((o) => o.folderId)).size).toBe(120);
    for (const folderId of h.server.folders(A).keys())
      expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
    expect(h.registry.heldSlots(A, h.clock.now())).toBe(0);
  });

  it('pays one slot write per page in an idle tick, plus one per lane, and no failed acquisition', async () => {
    const h = await manyFolders(120);
    await tickConcurrently(h, 16);
    h.clock.advance(h.config.syncIntervalMs);
    const counts = countSlotWrites(h);
    const outcomes = await tickConcurrently(h, 16);
    const pages = pagesOf(outcomes).reduce((sum, o) => sum + o.pages, 0);
    expect(pages).toBe(121);
    expect(counts.misses).toBe(0);
    expect(counts.writes).toBeLessThanOrEqual(pages + SLOTS);
  });

  it('lets a long chain hand its lane on: the folders behind a big one take the slots others freed', async () => {
    const h = await manyFolders(5, 2);
    // Lanes by folder id: the first folder and the fifth share a lane; the first is big.
    const [big, , , , behind] = [...h.server.folders(A).keys()].sort();
    for (let n = 0; n < 60; n++) h.server.createItem(A, big!); // pageSize 10: 7 pages
    const outcomes = await tickConcurrently(h, 16);
    const completed = byOutcome(outcomes, 'completed').map((o) => o.folderId);
    expect(completed.indexOf(behind!)).toBeGreaterThanOrEqual(0);
    expect(completed.indexOf(behind!)).toBeLessThan(completed.indexOf(big!));
    for (const folderId of h.server.folders(A).keys())
      expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });

  it('delivered twice, every job: each folder still syncs once, lanes do not multiply', async () => {
    const h = await manyFolders(40);
    const send = h.queue.send.bind(h.queue);
    h.queue.send = (entries) => send([...entries, ...entries]);
    const outcomes = await tickConcurrently(h, 8);
    const completed = byOutcome(outcomes, 'completed').filter((o) => o.type === 'folder');
    expect(completed).toHaveLength(40);
    expect(new Set(completed.map((o) => o.folderId)).size).toBe(40);
  });

  it('goes on past a folder deleted before its turn', async () => {
    const h = await manyFolders(12);
    await fanOutTick(h.deps, h.context());
    // The hierarchy's pages, until its completion has queued the lanes.
    while (h.pending.every((p) => p.job.type !== 'folder')) await h.run(h.takeNext()!);
    const queued = h.pending.map((p) => p.job as FolderJob);
    const victim = queued[0]!.lane![0]!;
    const cursor = h.cursors.peek(A, victim)!;
    const stop = {
      reason: 'gone' as const,
      code: 'FolderDeleted',
      at: 0,
      closedAtVersion: cursor.version + 1,
    };
    await h.cursors.writeFacts(cursor, { ...cursor, stop, factsRevision: (cursor.factsRevision ?? 0) + 1 });
    const outcomes = await h.runConcurrently(4);
    const completed = byOutcome(outcomes, 'completed').filter((o) => o.type === 'folder');
    expect(completed.map((o) => o.folderId).sort()).toEqual(
      [...h.server.folders(A).keys()].filter((f) => f !== victim).sort(),
    );
  });
});

describe('a folder that waits alone', () => {
  it.each([
    ['resyncs (its jitter)', 'invalidSyncState'],
    ['backs off (a transient error)', 'transient'],
  ] as const)('hands its lane on when it %s: the folders behind it do not wait', async (_, kind) => {
    const h = await manyFolders(5);
    await tickConcurrently(h, 1);
    h.clock.advance(h.config.syncIntervalMs);
    let victim: string | undefined;
    h.server.fault = (call) => {
      if (call.op !== 'syncItems' || victim !== undefined) return undefined;
      victim = call.folderId;
      return new MailSourceError(kind, 'Injected', 'the first folder of the lane waits');
    };
    const outcomes = await tickConcurrently(h, 1);
    const completed = byOutcome(outcomes, 'completed')
      .filter((o) => o.type === 'folder')
      .map((o) => o.folderId);
    expect(completed).toHaveLength(5);
    // The victim's retry waits its delay; the other four ran meanwhile.
    expect(completed.at(-1)).toBe(victim);
    for (const folderId of h.server.folders(A).keys())
      expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });
});

describe('a folder whose writes fail after a complete answer', () => {
  it('does not hand its lane on again: the lane went on with the answer, each folder is called once', async () => {
    const h = await manyFolders(6);
    await tickConcurrently(h, 4);
    h.clock.advance(h.config.syncIntervalMs);
    // The first folder of the lane has a change; its apply fails once (the retry is dirty).
    const lead = [...h.server.folders(A).keys()].sort()[0]!;
    h.server.createItem(A, lead);
    const { apply } = h.mirror;
    let failed = 0;
    h.mirror.apply = (write, changes) => {
      if (failed++ === 0) return Promise.reject(new Error('ProvisionedThroughputExceededException'));
      return apply.call(h.mirror, write, changes);
    };
    const calls = h.server.calls.length;
    await tickConcurrently(h, 4);
    const perFolder = new Map<string, number>();
    for (const call of h.server.calls.slice(calls))
      if (call.op === 'syncItems') perFolder.set(call.folderId, (perFolder.get(call.folderId) ?? 0) + 1);
    perFolder.delete(lead);
    expect([...perFolder.values()]).toEqual([1, 1, 1, 1, 1]);
    for (const folderId of h.server.folders(A).keys())
      expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });
});

describe('a worker that dies as a long chain hands its lane on', () => {
  it('loses neither the follow-up nor the lane: the redelivery sends both', async () => {
    const h = new Harness({ seed: 5 });
    await h.addMailbox(A, { maxConcurrentSyncs: 1 });
    const big = h.server.addFolder(A, { displayName: 'big' });
    const small = h.server.addFolder(A, { displayName: 'small' });
    for (let n = 0; n < 40; n++) h.server.createItem(A, big);
    h.server.createItem(A, small);
    await fanOutTick(h.deps, h.context());
    let died = 0;
    for (let job = h.takeNext(); job; job = h.takeNext()) {
      // The page whose follow-up leaves the lane behind: its first send fails (the worker died
      // after the advance), and SQS delivers the job again.
      if (job.type === 'folder' && job.lane && job.hop === 1 && died === 0) {
        h.queue.failures = 1;
        died++;
        await expect(h.run(job)).rejects.toThrow('queue send failed');
        h.pending.push({ job, dueAt: h.clock.now() + 30_000 });
        continue;
      }
      await h.run(job);
    }
    expect(died).toBe(1);
    for (const folderId of [big, small])
      expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });
});

describe('planLanes', () => {
  const cursor = (i: number, lastSyncedAt?: number) =>
    newFolderCursor(A, `f${String(i).padStart(4, '0')}`, 0, { lastSyncedAt });
  const h = new Harness();

  it('opens one lane per slot, the longest unsynced folders first', () => {
    const folders = [cursor(1, 500), cursor(2), cursor(3, 100), cursor(4, 300), cursor(5)];
    const jobs = planLanes(folders, 2, h.random, 'reserved').map((e) => e.job as FolderJob);
    expect(jobs.map((j) => [j.jobId === 'reserved', j.folderId, j.lane])).toEqual([
      [true, 'f0002', ['f0003', 'f0001']],
      [false, 'f0005', ['f0004']],
    ]);
  });

  it('opens no more lanes than folders, and more than slots when a lane would be too long', () => {
    expect(planLanes([cursor(1)], 4, h.random)).toHaveLength(1);
    const many = Array.from({ length: 4 * MAX_LANE_FOLDERS + 10 }, (_, i) => cursor(i));
    const lanes = planLanes(many, 4, h.random).map((e) => e.job as FolderJob);
    expect(lanes).toHaveLength(5);
    expect(Math.max(...lanes.map((j) => 1 + (j.lane?.length ?? 0)))).toBeLessThanOrEqual(
      MAX_LANE_FOLDERS + 1,
    );
  });
});

describe('laneCount', () => {
  const synced = (i: number) => newFolderCursor(A, `s${i}`, 0, { lastSyncedAt: 1_000 });
  const fresh = (i: number) => newFolderCursor(A, `n${i}`, 0);
  const range = <T>(n: number, of: (i: number) => T) => Array.from({ length: n }, (_, i) => of(i));

  it('walks the folders of an idle tick in one lane per SYNCED_FOLDERS_PER_LANE', () => {
    expect(laneCount(range(SYNCED_FOLDERS_PER_LANE, synced), 4)).toBe(1);
    expect(laneCount(range(SYNCED_FOLDERS_PER_LANE + 1, synced), 4)).toBe(2);
    expect(laneCount(range(300, synced), 4)).toBe(4);
  });

  it('gives every folder that starts from scratch a lane of its own, up to the slots', () => {
    expect(laneCount([...range(30, synced), ...range(2, fresh)], 4)).toBe(3);
    expect(laneCount(range(30, fresh), 4)).toBe(4);
    const resyncing = range(30, (i) => ({ ...synced(i), resyncPending: true }));
    expect(laneCount(resyncing, 4)).toBe(4);
  });

  it('opens no more lanes than folders, and one more when a lane would carry over MAX_LANE_FOLDERS', () => {
    expect(laneCount([fresh(0)], 4)).toBe(1);
    expect(laneCount([], 4)).toBe(0);
    expect(laneCount(range(MAX_LANE_FOLDERS + 2, synced), 1)).toBe(2);
  });
});

describe('a source that accepts fewer calls than the row allows', () => {
  it('never has more calls in flight than the source accepts, and opens no more lanes', async () => {
    const h = await manyFolders(40);
    await h.registry.put({ ...(await h.registry.get(A))!, maxConcurrentSyncs: 10 });
    h.server.maxConcurrentCalls = () => 3;
    const outcomes = await tickConcurrently(h, 16);
    expect(h.server.maxInFlight.get(A)).toBeLessThanOrEqual(3);
    expect(byOutcome(outcomes, 'completed').find((o) => o.type === 'hierarchy')).toMatchObject({
      enqueued: 3,
    });
    expect(byOutcome(outcomes, 'completed').filter((o) => o.type === 'folder')).toHaveLength(40);
  });
});
