// One writer per cursor field set (issue 8): while a folder's page is in flight, the hierarchy
// writes the folder's facts without touching the page's fields or version. A rename costs the page
// nothing (its advance is one write, no re-read); a stop (deleted, excluded) fails the advance
// cleanly and the folder's close leaves no item live; a push's sync request disturbs nothing.
import { describe, expect, it } from 'vitest';
import type { CursorStore } from '../ports.js';
import { Harness } from '../testing/harness.js';
import { folderPageHeldAtItsWrites, hierarchyJobOf } from '../testing/held-folder-page.js';

const A = 'a@example.com';

/** Counts the calls a page makes to the cursor store, by method, and the writes that landed. */
function counted(cursors: CursorStore) {
  const calls: Record<string, number> = {};
  const landed: Record<string, number> = {};
  const store = new Proxy(cursors, {
    get(target, method: string) {
      const value = Reflect.get(target, method);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        calls[method] = (calls[method] ?? 0) + 1;
        const result = await value.apply(target, args);
        landed[method] = (landed[method] ?? 0) + 1;
        return result;
      };
    },
  });
  return {
    store,
    calls,
    landed,
    reset: () => {
      for (const counts of [calls, landed]) for (const method of Object.keys(counts)) delete counts[method];
    },
  };
}

async function setup() {
  const h = new Harness();
  await h.addMailbox(A, { pageSize: 10, folderFilter: { kinds: ['mail'] } });
  const inbox = h.server.addFolder(A, { displayName: 'Inbox', kind: 'mail', wellKnownName: 'inbox' });
  for (let i = 0; i < 7; i++) h.server.createItem(A, inbox);
  const hierarchyJob = () => hierarchyJobOf(h, A);
  // The inbox's first page, held between its call and its item writes; its cursor calls counted
  // from its writes on.
  const cursorCalls = counted(h.cursors);
  const { page, release } = await folderPageHeldAtItsWrites(h, A, inbox, {
    deps: { cursors: cursorCalls.store },
    atWrites: cursorCalls.reset,
  });
  return { h, inbox, hierarchyJob, page, release, cursorCalls };
}

describe('one writer per cursor field set: the hierarchy beside a page in flight', () => {
  it('a rename costs the page nothing: its advance is one write, with no re-read and no rebuild', async () => {
    const { h, inbox, hierarchyJob, page, release, cursorCalls } = await setup();
    const leased = h.cursors.peek(A, inbox)!;
    h.server.renameFolder(A, inbox, 'Renamed');
    await h.run(hierarchyJob(), 'hierarchy-worker');
    // The rename moved neither the version nor any page field.
    expect(h.cursors.peek(A, inbox)).toMatchObject({ displayName: 'Renamed', version: leased.version });
    release();
    expect(await page).toMatchObject({ outcome: 'advanced' });
    expect(cursorCalls.calls).toEqual({ replace: 1 });
    expect(h.cursors.peek(A, inbox)).toMatchObject({
      displayName: 'Renamed',
      version: leased.version + 1,
      pages: 1,
      status: 'syncing',
    });
    await h.runUntilQuiet();
    expect(await h.mirrored(A, inbox)).toEqual(h.onServer(A, inbox));
    expect(h.cursors.peek(A, inbox)).toMatchObject({ displayName: 'Renamed', status: 'idle', generation: 0 });
  });

  for (const stopBy of ['deleted', 'excluded'] as const) {
    it(`a folder ${stopBy} while a page is in flight: the advance fails on the stop, and no item stays live`, async () => {
      const { h, inbox, hierarchyJob, page, release, cursorCalls } = await setup();
      const leased = h.cursors.peek(A, inbox)!;
      if (stopBy === 'deleted') h.server.deleteFolder(A, inbox);
      else await h.registry.put({ ...h.registry.mailboxes.get(A)!, folderFilter: { kinds: ['calendar'] } });
      await h.run(hierarchyJob(), 'hierarchy-worker');
      // Stopped without moving the page's version, then closed above it.
      const stopped = h.cursors.peek(A, inbox)!;
      expect(stopped.version).toBe(leased.version);
      expect(stopped.stop).toMatchObject({
        reason: stopBy === 'deleted' ? 'gone' : 'excluded',
        closedAtVersion: leased.version + 1,
      });
      release();
      // The page's items are refused by the close; its one advance fails on the stop (one read
      // tells stopped from a lost lease), and nothing of the page lands on the row.
      expect(await page).toMatchObject({ outcome: 'stopped', changes: { written: 0, fenced: 3 } });
      expect(cursorCalls.calls).toEqual({ replace: 1, get: 1 });
      expect(cursorCalls.landed).toEqual({ get: 1 });
      expect(h.cursors.peek(A, inbox)).toEqual(stopped);
      expect(await h.mirror.listLive(A, inbox)).toEqual([]);
    });
  }

  it('a sync request set while a chain runs does not disturb it', async () => {
    const { h, inbox, page, release } = await setup();
    const leased = h.cursors.peek(A, inbox)!;
    const at = h.clock.now();
    expect(await h.cursors.requestSync(A, inbox, at)).toBe(true);
    expect(h.cursors.peek(A, inbox)).toMatchObject({ version: leased.version, syncRequestedAt: at });
    release();
    expect(await page).toMatchObject({ outcome: 'advanced' });
    const outcomes = await h.runUntilQuiet();
    const kinds = outcomes.map((o) => o.outcome);
    expect(kinds).not.toContain('lease-lost');
    expect(kinds).not.toContain('dropped-stale');
    expect(await h.mirrored(A, inbox)).toEqual(h.onServer(A, inbox));
    // The chain ran through (no takeover, no resync), and the request is still there for its reader.
    expect(h.cursors.peek(A, inbox)).toMatchObject({ status: 'idle', generation: 0, syncRequestedAt: at });
  });
});
