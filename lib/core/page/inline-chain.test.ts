// Several pages of a chain in one invocation (pagesPerInvocation): fewer deliveries, every page's
// outcome reported, and a crash at any page of the run recovered by the redelivery of the one
// message that started it.
import { describe, expect, it } from 'vitest';
import type { JobOutcome } from '../jobs/job-kind.js';
import { runSyncJob } from '../jobs/registry.js';
import type { PageOutcome } from '../outcome.js';
import { MAILBOX_A as A, oneFolder } from '../testing/one-folder.js';

const kinds = (outcomes: { outcome: string }[]) => outcomes.map((o) => o.outcome);
const inline = (pagesPerInvocation: number) => ({ config: { pagesPerInvocation } });

/** Makes the nth call of `fn` (1-based) never return: the invocation dies there. */
function dieAtCall<A extends unknown[], R>(fn: (...args: A) => Promise<R>, n: number) {
  let calls = 0;
  return (...args: A): Promise<R> => (++calls === n ? new Promise<R>(() => {}) : fn(...args));
}

describe('pagesPerInvocation: pages of a chain in one invocation', () => {
  it.each([
    [1, 10, 10],
    [4, 3, 5],
    [10, 1, 1],
  ])(
    'with %i, a chain of 10 pages takes %i deliveries and %i slot writes, and reports every page',
    async (pages, deliveries, slotWrites) => {
      const { h, folderId, start } = await oneFolder(inline(pages), 95);
      const acquire = h.registry.acquireSlot.bind(h.registry);
      let acquired = 0;
      h.registry.acquireSlot = (...args) => {
        acquired++;
        return acquire(...args);
      };
      const outcomes = [...(await h.deliver(await start())), ...(await h.runUntilQuiet())];
      expect(h.deliveries).toBe(deliveries);
      expect(kinds(outcomes)).toEqual([...Array(9).fill('advanced'), 'completed']);
      expect(outcomes.map((o) => (o as PageOutcome).hop)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(h.outcomes).toHaveLength(10);
      // A page that ran its follow-up inline sent nothing; the last of a run sent it.
      expect(outcomes.reduce((n, o) => n + o.enqueued, 0)).toBe(deliveries - 1);
      expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
      expect(h.cursors.peek(A, folderId)).toMatchObject({ status: 'idle', pages: 10, changesApplied: 95 });
      // The slot passes along: in memory within a delivery, by name to the next delivery (one
      // write to name it, one to take it), and is released at the end.
      expect(acquired).toBe(slotWrites);
      expect((h.registry.slots.get(A) ?? []).filter(Boolean)).toEqual([]);
    },
  );

  it('runs one page when too little time is left for another, or nobody hears the outcomes', async () => {
    const { h, start } = await oneFolder(inline(4), 35);
    const job = await start();
    const heard: JobOutcome[] = [];
    const short = { owner: 'w', remainingMs: () => 19_000, onOutcome: (o: JobOutcome) => heard.push(o) };
    expect(await runSyncJob(h.deps, job, short)).toMatchObject({ outcome: 'advanced', enqueued: 1 });
    expect(heard).toEqual([]);
    h.collect();
    const next = h.takeNext()!;
    expect(await runSyncJob(h.deps, next, h.context())).toMatchObject({ outcome: 'advanced', enqueued: 1 });
  });

  it('a crash between two inline pages is recovered by the redelivery of the delivered message', async () => {
    const { h, folderId, start } = await oneFolder(inline(4), 95);
    const job = await start();
    // An inline page reads nothing (the mailbox, cursor and slot come from the page before): its
    // first port call is its lease, the 5th cursor write of the run (lease and advance a page).
    const replace = h.cursors.replace.bind(h.cursors);
    h.cursors.replace = dieAtCall(replace, 5);
    const heard: JobOutcome[] = [];
    void runSyncJob(
      h.deps,
      job,
      h.context('w', 60_000, (o) => heard.push(o)),
    );
    await reached(() => heard.length === 2);
    h.cursors.replace = replace;
    expect(h.queue.sent).toEqual([]);
    expect(h.cursors.peek(A, folderId)).toMatchObject({ doneJobId: job.jobId, status: 'syncing', pages: 2 });
    expect(h.cursors.peek(A, folderId)!.lease).toBeUndefined();

    // SQS redelivers the message after its visibility timeout (longer than any lease).
    h.clock.advance(h.config.leaseMs + 1);
    expect(await h.run(job)).toMatchObject({ outcome: 'resent-follow-up', enqueued: 1 });
    const outcomes = await h.runUntilQuiet();
    expect(kinds(outcomes)).toEqual([...Array(7).fill('advanced'), 'completed']);
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });

  it('a crash inside an inline page, lease held, is recovered by the redelivery once the lease is dead', async () => {
    const { h, folderId, start } = await oneFolder(inline(4), 95);
    const job = await start();
    const apply = h.mirror.apply.bind(h.mirror);
    h.mirror.apply = dieAtCall(apply, 3);
    const heard: JobOutcome[] = [];
    void runSyncJob(
      h.deps,
      job,
      h.context('w', 60_000, (o) => heard.push(o)),
    );
    await reached(() => heard.length === 2 && h.cursors.peek(A, folderId)!.lease !== undefined);
    h.mirror.apply = apply;
    const held = h.cursors.peek(A, folderId)!;
    expect(held).toMatchObject({ doneJobId: job.jobId, lease: { jobId: held.nextJobId } });

    // Redelivered while the lease looks alive: not this message's to decide yet.
    expect(await h.run(job)).toMatchObject({ outcome: 'dropped-stale' });
    h.clock.advance(h.config.leaseMs + 1);
    expect(await h.run(job)).toMatchObject({ outcome: 'resent-follow-up', enqueued: 1 });
    const outcomes = await h.runUntilQuiet();
    // The follow-up takes the dead lease over and resyncs from scratch (its writes may be there).
    expect(outcomes[0]).toMatchObject({ outcome: 'advanced', hop: 1 });
    expect(kinds(outcomes).at(-1)).toBe('completed');
    expect(h.cursors.peek(A, folderId)!.generation).toBe(1);
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });

  it('a mailbox of many folders converges through lanes with fewer deliveries than pages', async () => {
    const { h } = await oneFolder(inline(4), 0);
    const folders = Array.from({ length: 9 }, (_, i) => h.server.addFolder(A, { displayName: `f${i}` }));
    for (const [i, f] of folders.entries()) for (let n = 0; n < 10 * i + 3; n++) h.server.createItem(A, f);
    const outcomes = await h.tick();
    for (const f of folders) expect(await h.mirrored(A, f)).toEqual(h.onServer(A, f));
    const pages = outcomes.filter((o) => (o as PageOutcome).pages > 0).length;
    expect(h.deliveries).toBeLessThan(pages);
    expect((h.registry.slots.get(A) ?? []).filter(Boolean)).toEqual([]);
  });
});

describe('lanes in a row', () => {
  it('an idle tick runs each lane in one delivery: no queue message and no slot write per folder', async () => {
    const { h } = await oneFolder(inline(25), 0);
    const folders = Array.from({ length: 11 }, (_, i) => h.server.addFolder(A, { displayName: `f${i}` }));
    for (const f of folders) h.server.createItem(A, f);
    await h.tick();
    h.clock.advance(h.config.syncIntervalMs);
    const acquire = h.registry.acquireSlot.bind(h.registry);
    let slotWrites = 0;
    h.registry.acquireSlot = (...args) => {
      slotWrites++;
      return acquire(...args);
    };
    const before = h.deliveries;
    const outcomes = await h.tick();
    const folderPages = outcomes.filter((o) => o.type === 'folder' && (o as PageOutcome).pages > 0);
    // Every folder (the 11, the one oneFolder made, and the well-known ones) synced once.
    expect(folderPages.length).toBeGreaterThanOrEqual(12);
    expect(kinds(folderPages).every((k) => k === 'completed')).toBe(true);
    // The hierarchy, then one delivery per lane (as many lanes as slots).
    const slots = h.registry.mailboxes.get(A)!.maxConcurrentSyncs;
    expect(h.deliveries - before).toBeLessThanOrEqual(1 + slots);
    expect(slotWrites).toBeLessThanOrEqual(1 + 2 * slots);
    expect((h.registry.slots.get(A) ?? []).filter(Boolean)).toEqual([]);
    h.server.createItem(A, folders[3]!);
    h.clock.advance(h.config.syncIntervalMs);
    await h.tick();
    for (const f of folders) expect(await h.mirrored(A, f)).toEqual(h.onServer(A, f));
  });
});

/** Polls until `ready` (the killed invocation has reached the point the test needs). */
async function reached(ready: () => boolean): Promise<void> {
  for (let n = 0; n < 1_000 && !ready(); n++) await new Promise((r) => setImmediate(r));
  if (!ready()) throw new Error('the invocation never got there');
}
