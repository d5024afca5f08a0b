// The CursorStore contract for the folder facts (writeFacts), stops (a page's write refused on a
// stopped row, resume) and the push's request (requestSync): each writer names its own fields
// only, so the hierarchy and a page never overwrite each other, and a stop ends a page's writes.
import { describe, expect, it } from 'vitest';
import type { Cursor, FolderStop } from '../../lib/core/model.js';
import { type CursorStore, StaleCursorError } from '../../lib/core/ports.js';
import { testCursor as cursor } from '../support/store-fixtures.js';

const GONE: FolderStop = { reason: 'gone', code: 'FolderDeleted', at: 900 };

async function rejection(write: Promise<unknown>): Promise<unknown> {
  try {
    await write;
  } catch (error) {
    return error;
  }
  throw new Error('the write succeeded but was expected to fail');
}

/** `current` with new facts, one facts revision on. */
const withFacts = (current: Cursor, facts: Partial<Cursor>): Cursor => ({
  ...current,
  ...facts,
  factsRevision: (current.factsRevision ?? 0) + 1,
});

export function factsContract(make: () => Promise<CursorStore>): void {
  const read = (store: CursorStore, c: Cursor) => store.get(c.mailboxId, c.folderId);

  describe('writeFacts', () => {
    it('stores exactly the facts of next and its facts revision; the page fields and the version stay', async () => {
      const store = await make();
      const v1 = cursor({ syncState: 'S1', displayName: 'Old', wellKnownName: 'inbox', nextJobId: 'n' });
      await store.create(v1);
      // A writer whose cursor has stale page fields: they are not named.
      const next = withFacts(
        { ...v1, syncState: 'stale', pages: 99 },
        { displayName: 'New', wellKnownName: undefined, folderKind: 'mail', stop: GONE },
      );
      expect(await store.writeFacts(v1, next)).toEqual({ version: 1 });
      const stored = await read(store, v1);
      const { wellKnownName: _removed, ...kept } = v1;
      expect(stored).toEqual({
        ...kept,
        displayName: 'New',
        folderKind: 'mail',
        stop: GONE,
        factsRevision: 1,
      });
      expect(stored).not.toHaveProperty('wellKnownName');
    });

    it('succeeds at the facts revision read only; a missing row is stale and is not created', async () => {
      const store = await make();
      const v1 = cursor();
      await store.create(v1);
      const first = withFacts(v1, { displayName: 'A' });
      await store.writeFacts(v1, first);
      // A second writer that read v1 too: the revision moved.
      expect(await rejection(store.writeFacts(v1, withFacts(v1, { displayName: 'B' })))).toBeInstanceOf(
        StaleCursorError,
      );
      expect((await read(store, v1))?.displayName).toBe('A');
      await store.writeFacts(first, withFacts(first, { displayName: 'C' }));
      expect(await read(store, v1)).toMatchObject({ displayName: 'C', factsRevision: 2 });

      const missing = cursor({ folderId: 'missing' });
      expect(await rejection(store.writeFacts(missing, withFacts(missing, {})))).toBeInstanceOf(
        StaleCursorError,
      );
      expect(await read(store, missing)).toBeUndefined();
    });

    it('refuses a facts revision that does not move forward, with a plain Error', async () => {
      const store = await make();
      const v1 = cursor();
      await store.create(v1);
      const error = await rejection(store.writeFacts(v1, { ...v1, displayName: 'X' }));
      expect(error).not.toBeInstanceOf(StaleCursorError);
      expect((error as Error).message).toMatch(/move forward/);
      expect(await read(store, v1)).toEqual(v1);
    });

    it('with requireLeaseOwner, succeeds only while the stored lease belongs to that owner', async () => {
      const store = await make();
      const v1 = cursor({ lease: { owner: 'w1', jobId: 'j', until: 5000 }, status: 'syncing' });
      await store.create(v1);
      const next = withFacts(v1, { stop: GONE });
      expect(await rejection(store.writeFacts(v1, next, 'w2'))).toBeInstanceOf(StaleCursorError);
      await store.writeFacts(v1, next, 'w1');
      expect((await read(store, v1))?.stop).toEqual(GONE);
    });

    it('of concurrent facts writes from the same read exactly one wins', async () => {
      const store = await make();
      const v1 = cursor();
      await store.create(v1);
      const nexts = ['A', 'B', 'C'].map((name) => withFacts(v1, { displayName: name }));
      const results = await Promise.allSettled(nexts.map((next) => store.writeFacts(v1, next)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(nexts.map((n) => n.displayName)).toContain((await read(store, v1))?.displayName);
    });

    it('neither fails nor is undone by a page write from a read before it', async () => {
      const store = await make();
      const v1 = cursor({ syncState: 'S1', displayName: 'Old' });
      await store.create(v1);
      const leased = {
        ...v1,
        version: 2,
        status: 'syncing' as const,
        lease: { owner: 'w', jobId: 'j', until: 9 },
      };
      await store.replace(v1, leased);
      // The hierarchy renames while the page is in flight ...
      await store.writeFacts(leased, withFacts(leased, { displayName: 'Renamed' }));
      // ... and the page's advance, built on its own read, still lands and keeps the rename.
      const advanced = { ...leased, version: 3, syncState: 'S2', status: 'idle' as const, lease: undefined };
      await store.replace(leased, advanced, 'w');
      expect(await read(store, v1)).toEqual({ ...advanced, displayName: 'Renamed', factsRevision: 1 });
    });
  });

  describe('stops', () => {
    it("refuses a page's write on a stopped row, whatever its version and lease; and a page write that stops", async () => {
      const store = await make();
      const lease = { owner: 'w', jobId: 'j', until: 9 };
      const v1 = cursor({ status: 'syncing', lease });
      await store.create(v1);
      await store.writeFacts(v1, withFacts(v1, { stop: GONE }));
      const stopped = await read(store, v1);
      for (const owner of [undefined, 'w']) {
        const advance = { ...v1, version: 2, syncState: 'S', lease: undefined, status: 'idle' as const };
        expect(await rejection(store.replace(v1, advance, owner))).toBeInstanceOf(StaleCursorError);
      }
      expect(await read(store, v1)).toEqual(stopped);

      const other = cursor({ folderId: 'other' });
      await store.create(other);
      const error = await rejection(store.replace(other, { ...other, version: 2, stop: GONE }));
      expect(error).not.toBeInstanceOf(StaleCursorError);
      expect(await read(store, other)).toEqual(other);
    });

    it('resume lifts the stop: the whole row becomes next, at the version and facts revision read', async () => {
      const store = await make();
      const v1 = cursor({ syncState: 'S1', lease: { owner: 'w', jobId: 'j', until: 9 }, displayName: 'F' });
      await store.create(v1);
      await store.writeFacts(v1, withFacts(v1, { stop: { ...GONE, closedAtVersion: 2 } }));
      const stopped = (await read(store, v1))!;
      const next: Cursor = cursor({
        version: 3,
        generation: 1,
        resyncPending: true,
        displayName: 'F2',
        factsRevision: 2,
      });
      // Not at the version read, not at the facts revision read, or not stopped: refused.
      expect(await rejection(store.resume({ ...stopped, version: 0 }, next))).toBeInstanceOf(
        StaleCursorError,
      );
      expect(await rejection(store.resume({ ...stopped, factsRevision: 0 }, next))).toBeInstanceOf(
        StaleCursorError,
      );
      await store.resume(stopped, next);
      expect(await read(store, v1)).toEqual(next);
      const again = { ...next, version: 4, factsRevision: 3 };
      expect(await rejection(store.resume(next, again))).toBeInstanceOf(StaleCursorError);
      // A resume that keeps a stop, or does not move both revisions: a caller error.
      for (const bad of [
        { ...next, version: 5, factsRevision: 5, stop: GONE },
        { ...next, version: 5 },
        { ...next, factsRevision: 5 },
      ]) {
        expect(await rejection(store.resume(next, bad))).not.toBeInstanceOf(StaleCursorError);
      }
    });
  });

  describe('requestSync', () => {
    it('sets syncRequestedAt and nothing else: writers that read before it still land and keep it', async () => {
      const store = await make();
      const v1 = cursor({ syncState: 'S1' });
      await store.create(v1);
      expect(await store.requestSync(v1.mailboxId, v1.folderId, 1234)).toBe(true);
      expect(await read(store, v1)).toEqual({ ...v1, syncRequestedAt: 1234 });
      const v2 = { ...v1, version: 2, syncState: 'S2' };
      await store.replace(v1, v2);
      await store.writeFacts(v2, withFacts(v2, { displayName: 'X' }));
      expect(await read(store, v1)).toEqual({
        ...v2,
        displayName: 'X',
        factsRevision: 1,
        syncRequestedAt: 1234,
      });
      expect(await store.requestSync(v1.mailboxId, 'missing', 1)).toBe(false);
      expect(await store.get(v1.mailboxId, 'missing')).toBeUndefined();
    });
  });
}
