// An idle tick of a whole mailbox at the deployed default (many pages a delivery): the hierarchy
// page is an idle page (one write of its cursor), and the first lane runs in the hierarchy's own
// invocation with the slot in memory, so the mailbox costs one delivery, one slot taken and
// freed, and one cursor write a folder (issue 11's idle floor).
import { describe, expect, it } from 'vitest';
import { HIERARCHY_CURSOR_ID } from '../model.js';
import { Harness } from '../testing/harness.js';

const A = 'a@example.com';

async function syncedMailbox(folders: number) {
  const h = new Harness({ seed: 11, config: { pagesPerInvocation: 100 } });
  await h.addMailbox(A, { maxConcurrentSyncs: 4 });
  for (let i = 0; i < folders; i++) h.server.createItem(A, h.server.addFolder(A, { displayName: `f${i}` }));
  await h.tick();
  h.clock.advance(h.config.syncIntervalMs);
  const counts = { cursorWrites: new Map<string, number>(), sent: 0, slotsTaken: 0, slotsFreed: 0 };
  const { replace } = h.cursors;
  h.cursors.replace = (expected, next, owner) => {
    counts.cursorWrites.set(next.folderId, (counts.cursorWrites.get(next.folderId) ?? 0) + 1);
    return replace.call(h.cursors, expected, next, owner);
  };
  const { send } = h.queue;
  h.queue.send = (entries) => {
    counts.sent += entries.length;
    return send.call(h.queue, entries);
  };
  const { acquireSlot, releaseSlot } = h.registry;
  h.registry.acquireSlot = async (...args) => {
    const slot = await acquireSlot.apply(h.registry, args);
    if (slot !== undefined) counts.slotsTaken++;
    return slot;
  };
  h.registry.releaseSlot = (...args) => {
    counts.slotsFreed++;
    return releaseSlot.apply(h.registry, args);
  };
  return { h, counts };
}

describe('an idle tick of a mailbox whose folders were synced before', () => {
  it('costs one delivery, one slot, and one cursor write a folder and for the hierarchy', async () => {
    const { h, counts } = await syncedMailbox(20);
    const deliveries = h.deliveries;
    const outcomes = await h.tick();
    expect(outcomes.filter((o) => o.type === 'folder' && o.outcome === 'completed')).toHaveLength(20);
    // The fan-out's hierarchy job is the one message; the lane runs in its delivery.
    expect(h.deliveries - deliveries).toBe(1);
    expect(counts.sent).toBe(1);
    expect(counts.slotsTaken).toBe(1);
    expect(counts.slotsFreed).toBe(1);
    expect(counts.cursorWrites.size).toBe(21);
    expect([...counts.cursorWrites.values()].every((n) => n === 1)).toBe(true);
    expect(h.cursors.peek(A, HIERARCHY_CURSOR_ID)!.lease).toBeUndefined();
    for (const folderId of h.server.folders(A).keys())
      expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });

  it('writes the hierarchy cursor once a page when the hierarchy takes two (Graph: mail, then contact folders)', async () => {
    const { h, counts } = await syncedMailbox(5);
    const { syncHierarchy } = h.server;
    let pages = 0;
    h.server.syncHierarchy = async (request) => {
      // The first answer: nothing new here, more to come (the same state, as a link would be).
      if (pages++ === 0) return { syncState: request.syncState!, changes: [], more: true };
      return syncHierarchy.call(h.server, request);
    };
    const outcomes = await h.tick();
    expect(pages).toBe(2);
    expect(outcomes.filter((o) => o.type === 'hierarchy').map((o) => o.outcome)).toEqual([
      'advanced',
      'completed',
    ]);
    expect(counts.cursorWrites.get(HIERARCHY_CURSOR_ID)).toBe(2);
    expect(h.cursors.peek(A, HIERARCHY_CURSOR_ID)!.lease).toBeUndefined();
    expect(outcomes.filter((o) => o.type === 'folder' && o.outcome === 'completed')).toHaveLength(5);
  });

  it('still opens a lane per slot for folders that start from scratch', async () => {
    const { h, counts } = await syncedMailbox(4);
    const fresh = Array.from({ length: 6 }, (_, i) => h.server.addFolder(A, { displayName: `new${i}` }));
    for (const folderId of fresh) h.server.createItem(A, folderId);
    const outcomes = await h.tick();
    const hierarchy = outcomes.find((o) => o.type === 'hierarchy' && o.outcome === 'completed');
    // Four lanes: the first runs in the hierarchy's delivery, three go to the queue.
    expect(hierarchy).toMatchObject({ foldersDue: 10, enqueued: 3 });
    expect(counts.slotsTaken).toBeGreaterThanOrEqual(4);
    for (const folderId of h.server.folders(A).keys())
      expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });
});
