// Idle pages: a chain's first page from a stored state calls before it takes a lease, and when
// the answer is "nothing new" its advance is its one cursor write (PROTOCOL.md "Idle pages").
import { describe, expect, it } from 'vitest';
import { runSyncJob } from '../jobs/registry.js';
import { MAILBOX_A as A, oneFolder } from '../testing/one-folder.js';

/** A folder synced once, so that its next chain starts from a stored SyncState. */
async function syncedFolder(items = 5) {
  const setup = await oneFolder({}, items);
  await setup.h.deliver(await setup.start());
  await setup.h.runUntilQuiet();
  const replaced: number[] = [];
  const replace = setup.h.cursors.replace.bind(setup.h.cursors);
  setup.h.cursors.replace = async (expected, next, owner) => {
    replaced.push(next.version);
    return replace(expected, next, owner);
  };
  return { ...setup, replaced };
}

describe('idle pages', () => {
  it('cost one cursor write and take no lease when nothing changed', async () => {
    const { h, folderId, start, replaced } = await syncedFolder();
    const before = h.cursors.peek(A, folderId)!;
    const outcome = await h.run(await start());
    expect(outcome).toMatchObject({ outcome: 'completed', pages: 1 });
    expect(replaced).toEqual([before.version + 1]);
    expect(h.cursors.peek(A, folderId)).toMatchObject({ status: 'idle', pages: before.pages + 1 });
    expect(h.cursors.peek(A, folderId)!.lease).toBeUndefined();
    expect(h.cursors.peek(A, folderId)!.lastSyncedAt).toBe(h.clock.now());
  });

  it('take the lease after the call when there are changes, and write them under its fence', async () => {
    const { h, folderId, start, replaced } = await syncedFolder();
    const itemId = h.server.createItem(A, folderId);
    const before = h.cursors.peek(A, folderId)!;
    expect(await h.run(await start())).toMatchObject({ outcome: 'completed', fence: before.version + 1 });
    // The lease, then the advance.
    expect(replaced).toEqual([before.version + 1, before.version + 2]);
    expect((await h.mirror.listLive(A, folderId)).find((r) => r.itemId === itemId)?.pageVersion).toBe(
      before.version + 1,
    );
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });

  it('lose to a page that leased the cursor meanwhile, and nothing is lost', async () => {
    const { h, folderId, start } = await syncedFolder();
    const job = await start();
    // While the idle page is at the server, another copy of the job leases the cursor.
    let raced = false;
    h.server.gate = async () => {
      if (raced) return;
      raced = true;
      const cursor = h.cursors.peek(A, folderId)!;
      await h.cursors.replace(cursor, {
        ...cursor,
        version: cursor.version + 1,
        lease: { owner: 'other', jobId: job.jobId, until: h.clock.now() + h.config.leaseMs },
        status: 'syncing',
      });
    };
    expect(await h.run(job)).toMatchObject({ outcome: 'lease-lost' });
    expect(h.cursors.peek(A, folderId)!.lease?.owner).toBe('other');
    // The other holder dies after a change arrived; its lease runs out and the next tick's chain
    // takes it over.
    h.server.gate = undefined;
    h.server.createItem(A, folderId);
    h.clock.advance(Math.max(h.config.leaseMs, h.config.stuckAfterMs) + h.config.syncIntervalMs);
    await h.tick();
    // (The first tick's hierarchy also fills in the folder's names, a write that restarts the
    // stuck clock; the next tick finds it stuck.)
    h.clock.advance(h.config.stuckAfterMs);
    await h.tick();
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });
});

describe('idle pages that fail after their call', () => {
  it('retry a store error of their advance from the same state: no resync, nothing was written', async () => {
    const { h, folderId, start } = await syncedFolder();
    const before = h.cursors.peek(A, folderId)!;
    const { replace } = h.cursors;
    let thrown = 0;
    h.cursors.replace = (expected, next, owner) => {
      if (thrown === 0 && owner === undefined && !expected.lease) {
        thrown++;
        return Promise.reject(new Error('ProvisionedThroughputExceededException'));
      }
      return replace.call(h.cursors, expected, next, owner);
    };
    expect(await h.run(await start())).toMatchObject({ outcome: 'retrying' });
    await h.runUntilQuiet();
    expect(thrown).toBe(1);
    const after = h.cursors.peek(A, folderId)!;
    expect(after.generation).toBe(before.generation);
    expect(after.resyncPending).toBeFalsy();
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });

  it('handed over for lack of time, promise the retry: a redelivery re-sends it if it was lost', async () => {
    const { h, folderId, start } = await syncedFolder();
    const job = await start();
    let left = 60_000;
    const { syncItems } = h.server;
    h.server.syncItems = async (request) => {
      const page = await syncItems.call(h.server, request);
      left = 10; // the call took what the page had: less than the apply needs is left
      return page;
    };
    const context = { owner: 'w', remainingMs: () => left };
    expect(await runSyncJob(h.deps, job, context)).toMatchObject({ outcome: 'deferred' });
    h.server.syncItems = syncItems;
    expect(h.cursors.peek(A, folderId)).toMatchObject({ status: 'syncing', doneJobId: job.jobId });
    h.queue.drain(); // the retry is lost: the worker died after the write
    expect(await runSyncJob(h.deps, job, { owner: 'w2', remainingMs: () => 60_000 })).toMatchObject({
      outcome: 'resent-follow-up',
    });
    h.collect();
    await h.runUntilQuiet();
    expect(h.cursors.peek(A, folderId)).toMatchObject({ status: 'idle' });
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });
});
