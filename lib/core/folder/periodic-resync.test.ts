// A source whose changes can miss an item for good (Graph with immutable ids: an item moved
// A→B→A is reported deleted from A and never again) asks for a periodic resync with sweep.
import { describe, expect, it } from 'vitest';
import type { PageOutcome } from '../outcome.js';
import { MAILBOX_A as A, oneFolder } from '../testing/one-folder.js';

const WEEK = 7 * 24 * 3600_000;

async function syncedFolder(resyncAfterMs: number | undefined) {
  const setup = await oneFolder({}, 25);
  setup.h.server.resyncAfterMs = () => resyncAfterMs;
  await setup.h.run(await setup.start());
  await setup.h.runUntilQuiet();
  return setup;
}

describe('periodic resync', () => {
  it('starts a chain from scratch once the period is over, and the sweep repairs what deltas missed', async () => {
    const { h, folderId, start } = await syncedFolder(WEEK);
    const synced = h.cursors.peek(A, folderId)!;
    expect(synced.resyncDueAt).toBeGreaterThanOrEqual(h.clock.now() + 0.9 * WEEK);
    expect(synced.resyncDueAt).toBeLessThanOrEqual(h.clock.now() + 1.1 * WEEK);

    // What the source never reported: an item it lost, and one deleted without a delete.
    const [lost] = [...h.server.folder(A, folderId).items.keys()];
    const write = {
      mailboxId: A,
      folderId,
      pageVersion: synced.version,
      generation: synced.generation,
      now: h.clock.now(),
    };
    await h.mirror.apply(write, [
      { kind: 'delete', itemId: lost! },
      { kind: 'create', itemId: 'never-deleted', itemType: 'Message', item: { subject: 'ghost' } },
    ]);
    // Before the period is over a chain is incremental and repairs nothing.
    h.clock.advance(0.8 * WEEK);
    expect(await h.run(await start())).toMatchObject({ outcome: 'completed', changes: { written: 0 } });
    expect(await h.mirrored(A, folderId)).not.toEqual(h.onServer(A, folderId));

    h.clock.advance(0.4 * WEEK);
    const outcomes = [await h.run(await start()), ...(await h.runUntilQuiet())] as PageOutcome[];
    expect(outcomes.map((o) => o.outcome)).toEqual(['advanced', 'advanced', 'completed']);
    expect(outcomes.at(-1)!.swept).toBe(1);
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
    const resynced = h.cursors.peek(A, folderId)!;
    expect(resynced).toMatchObject({ generation: synced.generation + 1, status: 'idle' });
    expect(resynced.resyncPending).toBeUndefined();
    expect(resynced.resyncDueAt).toBeGreaterThanOrEqual(h.clock.now() + 0.9 * WEEK);
  });

  it('never resyncs a folder whose source trusts its changes', async () => {
    const { h, folderId, start } = await syncedFolder(undefined);
    const synced = h.cursors.peek(A, folderId)!;
    expect(synced.resyncDueAt).toBeUndefined();
    h.clock.advance(10 * WEEK);
    expect(await h.run(await start())).toMatchObject({ outcome: 'completed' });
    expect(h.cursors.peek(A, folderId)!.generation).toBe(synced.generation);
  });
});
