import { describe, expect, it } from 'vitest';
import type { FanOutJob, HierarchyJob } from '../jobs/builders.js';
import { runSyncJob } from '../jobs/registry.js';
import { HIERARCHY_CURSOR_ID } from '../model.js';
import { Harness } from '../testing/harness.js';
import { fanOutTick } from './fan-out-tick.js';

async function withMailboxes(n: number, h = new Harness()) {
  for (let i = 0; i < n; i++) await h.addMailbox(`m${i}@example.com`);
  return h;
}

const hierarchyTargets = (h: Harness) =>
  h.queue
    .jobs()
    .filter((j): j is HierarchyJob => j.type === 'hierarchy')
    .map((j) => j.mailboxId)
    .sort();

describe('fanOutTick', () => {
  it('starts one hierarchy chain per enabled mailbox, creating its cursor, and skips parked ones', async () => {
    const h = await withMailboxes(5);
    await h.registry.park('m2@example.com', 'test', h.clock.now());
    const outcome = await fanOutTick(h.deps, { remainingMs: () => 60_000 });
    expect(outcome).toMatchObject({
      outcome: 'completed',
      mailboxesScanned: 5,
      hierarchyJobs: 4,
      cursorsCreated: 4,
    });
    expect(hierarchyTargets(h)).toEqual([
      'm0@example.com',
      'm1@example.com',
      'm3@example.com',
      'm4@example.com',
    ]);
    const jobs = h.queue.jobs() as HierarchyJob[];
    expect(new Set(jobs.map((j) => j.jobId)).size).toBe(4);
    expect(jobs.every((j) => j.expectVersion === 0 && j.hop === 0)).toBe(true);
    expect(h.cursors.peek('m0@example.com', HIERARCHY_CURSOR_ID)).toMatchObject({
      kind: 'hierarchy',
      version: 0,
    });
  });

  it('skips mailboxes synced within the interval and restarts stuck ones', async () => {
    const h = await withMailboxes(2);
    await h.tick();
    h.queue.drain();
    await fanOutTick(h.deps, { remainingMs: () => 60_000 });
    expect(h.queue.jobs()).toEqual([]);

    // m1's hierarchy chain died with its lease: restarted once it is considered stuck.
    const cursor = h.cursors.peek('m1@example.com', HIERARCHY_CURSOR_ID)!;
    const dead = {
      ...cursor,
      status: 'syncing' as const,
      version: cursor.version + 1,
      lease: { owner: 'dead', jobId: 'j', until: h.clock.now() + 1 },
    };
    await h.cursors.replace(cursor, dead);
    h.clock.advance(h.config.stuckAfterMs);
    await fanOutTick(h.deps, { remainingMs: () => 60_000 });
    expect(hierarchyTargets(h)).toEqual(['m0@example.com', 'm1@example.com']);
    expect(
      (h.queue.jobs() as HierarchyJob[]).find((j) => j.mailboxId === 'm1@example.com')!.expectVersion,
    ).toBe(dead.version);
  });

  it('hands the rest of the scan to a continuation when time runs short; every mailbox is covered once', async () => {
    const h = await withMailboxes(7);
    const outcome = await fanOutTick(h.deps, { remainingMs: () => 0 });
    expect(outcome).toMatchObject({ outcome: 'continued', hierarchyJobs: 2 });
    const tickAt = h.clock.now();
    h.clock.advance(1_000);
    for (let n = 0; n < 10; n++) {
      const continuation = h.queue
        .jobs()
        .find((j): j is FanOutJob => j.type === 'fanout' && !j.jobId.startsWith('done'));
      if (!continuation) break;
      expect(continuation.tickAt).toBe(tickAt);
      await runSyncJob(h.deps, continuation, { owner: 'w', remainingMs: () => 0 });
      continuation.jobId = `done-${continuation.jobId}`;
    }
    expect(hierarchyTargets(h)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `m${i}@example.com`));
    expect(h.queue.jobs().filter((j) => j.type === 'fanout')).toHaveLength(3);
  });

  it('end to end: a tick syncs every mailbox and folder', async () => {
    const h = await withMailboxes(3);
    for (const id of h.server.mailboxes.keys()) {
      const folder = h.server.addFolder(id, { displayName: 'Inbox' });
      for (let i = 0; i < 12; i++) h.server.createItem(id, folder);
    }
    await h.tick();
    for (const [id, folders] of h.server.mailboxes) {
      for (const folderId of folders.keys())
        expect(await h.mirrored(id, folderId)).toEqual(h.onServer(id, folderId));
    }
  });
});

describe('fanOutTick: loop guard', () => {
  it('stops a chain of continuations after maxHops', async () => {
    const h = await withMailboxes(3, new Harness({ config: { maxHops: 2 } }));
    const job: FanOutJob = {
      v: 1,
      type: 'fanout',
      jobId: 'f',
      next: 'm0@example.com',
      tickAt: h.clock.now(),
      hop: 2,
    };
    expect(await fanOutTick(h.deps, { remainingMs: () => 60_000 }, job)).toMatchObject({
      outcome: 'max-hops',
      enqueued: 0,
    });
    expect(h.queue.jobs()).toEqual([]);
  });
});
