import { describe, expect, it } from 'vitest';
import { MailSourceError } from '../errors.js';
import { folderState, HIERARCHY_CURSOR_ID } from '../model.js';
import type { PageOutcome } from '../outcome.js';
import { Harness } from '../testing/harness.js';
import { folderPageHeldAtItsWrites, hierarchyJobOf } from '../testing/held-folder-page.js';

const A = 'a@example.com';

async function setup(options: ConstructorParameters<typeof Harness>[0] = {}) {
  const h = new Harness(options);
  await h.addMailbox(A, { pageSize: 10 });
  const inbox = h.server.addFolder(A, {
    displayName: 'Inbox',
    kind: 'mail',
    wellKnownName: 'inbox',
  });
  const calendar = h.server.addFolder(A, { displayName: 'Calendar', kind: 'calendar' });
  const notes = h.server.addFolder(A, { displayName: 'Notes', kind: 'notes' });
  const search = h.server.addFolder(A, {
    displayName: 'Unread',
    kind: 'mail',
    virtual: true,
  });
  for (let i = 0; i < 7; i++) h.server.createItem(A, inbox);
  for (let i = 0; i < 2; i++) h.server.createItem(A, calendar);
  h.server.createItem(A, notes);
  const hierarchyJob = (expectVersion?: number) => hierarchyJobOf(h, A, expectVersion);
  return { h, inbox, calendar, notes, search, hierarchyJob };
}

const nextTick = (h: Harness) => h.clock.advance(h.config.syncIntervalMs);

/** The hierarchy's SyncState is refused once (ErrorInvalidSyncStateData), then accepted. */
function refuseHierarchyStateOnce(h: Harness): void {
  let once = true;
  h.server.fault = (call) => {
    if (call.op !== 'syncHierarchy' || !once) return undefined;
    once = false;
    return new MailSourceError('invalidSyncState', 'ErrorInvalidSyncStateData', 'bad');
  };
}

describe('syncHierarchyPage', () => {
  it('discovers folders over several pages, applies the filter, never selects search folders, syncs the selected ones', async () => {
    const { h, inbox, calendar, notes, search } = await setup();
    h.server.pageSize = 2;
    const outcomes = (await h.tick()) as PageOutcome[];
    const hierarchy = outcomes.filter((o) => o.type === 'hierarchy');
    expect(hierarchy.map((o) => o.outcome)).toEqual(['advanced', 'completed']);
    expect(hierarchy.at(-1)!.enqueued).toBe(2);
    expect(h.cursors.peek(A, inbox)).toMatchObject({
      status: 'idle',
      displayName: 'Inbox',
      folderKind: 'mail',
    });
    expect(folderState(h.cursors.peek(A, calendar)!)).toBe('idle');
    expect(folderState(h.cursors.peek(A, notes)!)).toBe('excluded');
    expect(h.cursors.peek(A, search)).toBeUndefined();
    expect(await h.mirrored(A, inbox)).toEqual(h.onServer(A, inbox));
    expect(await h.mirrored(A, calendar)).toEqual(h.onServer(A, calendar));
    expect(await h.mirrored(A, notes)).toEqual({});
    expect(
      h.server.calls
        .filter((c) => c.op === 'syncItems')
        .map((c) => (c as { folderId: string }).folderId)
        .sort(),
    ).toEqual([inbox, inbox, inbox, inbox, calendar].sort());
  });

  it('applies creations, renames and deletions; a deleted folder is tombstoned and never enqueued again', async () => {
    const { h, inbox, calendar } = await setup();
    await h.tick();
    const tasks = h.server.addFolder(A, { displayName: 'Tasks', kind: 'tasks' });
    h.server.createItem(A, tasks);
    h.server.renameFolder(A, inbox, 'Posteingang');
    h.server.deleteFolder(A, calendar);
    nextTick(h);
    const outcomes = (await h.tick()) as PageOutcome[];
    expect(outcomes.find((o) => o.type === 'hierarchy')).toMatchObject({
      outcome: 'completed',
      folderChanges: 3,
    });
    expect(h.cursors.peek(A, inbox)!.displayName).toBe('Posteingang');
    expect(h.cursors.peek(A, calendar)).toMatchObject({ stop: { reason: 'gone', code: 'FolderDeleted' } });
    expect(await h.mirrored(A, calendar)).toEqual({});
    expect(await h.mirrored(A, tasks)).toEqual(h.onServer(A, tasks));
    expect(outcomes.some((o) => o.type === 'folder' && o.folderId === calendar)).toBe(false);
    nextTick(h);
    const later = (await h.tick()) as PageOutcome[];
    expect(later.some((o) => o.folderId === calendar)).toBe(false);
  });

  it('a gone folder the server reports again starts over as a resync, and its items come back', async () => {
    const { h, calendar } = await setup();
    await h.tick();
    h.server.deleteFolder(A, calendar);
    nextTick(h);
    await h.tick();
    expect(h.cursors.peek(A, calendar)).toMatchObject({ stop: { reason: 'gone' } });
    // The same id reported again (a page's folder-not-found taken back, or a new mail source).
    const again = h.server.addFolder(A, { folderId: calendar, displayName: 'Calendar', kind: 'calendar' });
    h.server.createItem(A, again);
    nextTick(h);
    await h.tick();
    expect(h.cursors.peek(A, calendar)).toMatchObject({ status: 'idle', generation: 1 });
    expect(h.cursors.peek(A, calendar)!.resyncPending).toBeUndefined();
    expect(await h.mirrored(A, calendar)).toEqual(h.onServer(A, calendar));
  });

  it('resolves distinguished ids in the filter and follows filter changes at the next tick', async () => {
    const { h, inbox, calendar } = await setup();
    await h.registry.put({ ...h.registry.mailboxes.get(A)!, folderFilter: { wellKnownNames: ['inbox'] } });
    await h.tick();
    expect(h.cursors.peek(A, inbox)).toMatchObject({ status: 'idle', wellKnownName: 'inbox' });
    expect(folderState(h.cursors.peek(A, calendar)!)).toBe('excluded');
    expect(await h.mirrored(A, calendar)).toEqual({});
    expect(h.server.calls.filter((c) => c.op === 'resolve')).toHaveLength(1);

    await h.registry.put({
      ...h.registry.mailboxes.get(A)!,
      folderFilter: { kinds: ['calendar'] },
    });
    nextTick(h);
    await h.tick();
    expect(folderState(h.cursors.peek(A, inbox)!)).toBe('excluded');
    expect(folderState(h.cursors.peek(A, calendar)!)).toBe('idle');
    expect(await h.mirrored(A, calendar)).toEqual(h.onServer(A, calendar));
  });

  it('a folder the filter excludes loses its mirrored items, and syncs from scratch when included again', async () => {
    const { h, calendar } = await setup();
    await h.tick();
    expect(Object.keys(await h.mirrored(A, calendar))).toHaveLength(2);
    await h.registry.put({ ...h.registry.mailboxes.get(A)!, folderFilter: { kinds: ['mail'] } });
    nextTick(h);
    await h.tick();
    // Closed above every page's fence; its SyncState goes when the filter includes it again.
    expect(h.cursors.peek(A, calendar)).toMatchObject({
      stop: { reason: 'excluded', code: 'ExcludedByFilter', closedAtVersion: expect.any(Number) },
    });
    expect(await h.mirrored(A, calendar)).toEqual({});

    await h.registry.put({
      ...h.registry.mailboxes.get(A)!,
      folderFilter: { kinds: ['calendar'] },
    });
    nextTick(h);
    await h.tick();
    expect(folderState(h.cursors.peek(A, calendar)!)).toBe('idle');
    expect(h.cursors.peek(A, calendar)!.stop).toBeUndefined();
    expect(await h.mirrored(A, calendar)).toEqual(h.onServer(A, calendar));
  });

  it('a throttled GetFolder pauses the mailbox: no folder chain starts inside the pause', async () => {
    const { h, inbox, calendar } = await setup();
    await h.registry.put({
      ...h.registry.mailboxes.get(A)!,
      folderFilter: { wellKnownNames: ['inbox'], kinds: ['calendar'] },
    });
    h.server.fault = (call) =>
      call.op === 'resolve'
        ? new MailSourceError('throttled', 'ErrorServerBusy', 'busy', { retryAfterMs: 30_000 })
        : undefined;
    const throttledAt = h.clock.now();
    await h.tick();
    const backoffUntil = h.registry.mailboxes.get(A)!.backoffUntil!;
    expect(backoffUntil).toBeGreaterThanOrEqual(throttledAt + 30_000);
    const resolveAt = h.server.calls.findIndex((c) => c.op === 'resolve');
    expect(resolveAt).toBeGreaterThanOrEqual(0);
    expect(h.server.calls.slice(resolveAt + 1)).toEqual([]);
    // After the pause, the next tick resolves the inbox and syncs the selected folders.
    h.server.fault = undefined;
    h.clock.set(backoffUntil);
    nextTick(h);
    await h.tick();
    expect(h.cursors.peek(A, inbox)).toMatchObject({ status: 'idle', wellKnownName: 'inbox' });
    expect(await h.mirrored(A, calendar)).toEqual(h.onServer(A, calendar));
  });

  it('a rename while a folder page is in flight is kept, and the page still advances', async () => {
    const { h, inbox, hierarchyJob } = await setup();
    const { page, release } = await folderPageHeldAtItsWrites(h, A, inbox);
    h.server.renameFolder(A, inbox, 'Renamed');
    expect(await h.run(hierarchyJob(), 'hierarchy-worker')).toMatchObject({
      outcome: 'completed',
      folderChanges: 1,
    });
    release();
    expect(await page).toMatchObject({ outcome: 'advanced' });
    expect(h.cursors.peek(A, inbox)).toMatchObject({ displayName: 'Renamed', pages: 1, status: 'syncing' });
    await h.runUntilQuiet();
    expect(await h.mirrored(A, inbox)).toEqual(h.onServer(A, inbox));
    expect(h.cursors.peek(A, inbox)).toMatchObject({ displayName: 'Renamed', status: 'idle' });
  });

  it('a folder deleted while its page is in flight ends with no live items', async () => {
    const { h, inbox, hierarchyJob } = await setup();
    const { page, release } = await folderPageHeldAtItsWrites(h, A, inbox);
    h.server.deleteFolder(A, inbox);
    await h.run(hierarchyJob(), 'hierarchy-worker');
    release();
    // The folder was closed before the page wrote: its creates are refused, none becomes live.
    expect(await page).toMatchObject({ outcome: 'stopped', changes: { written: 0, fenced: 3 } });
    expect(await h.mirrored(A, inbox)).toEqual({});
    // Stopped, then closed: the page's lease stays on the row until it dies (nothing reads the
    // lease of a stopped folder) or the folder starts again.
    expect(h.cursors.peek(A, inbox)!.stop).toMatchObject({
      reason: 'gone',
      closedAtVersion: expect.any(Number),
    });
  });

  it('restarts from scratch on an invalid hierarchy SyncState', async () => {
    const { h, inbox, hierarchyJob } = await setup();
    await h.tick();
    refuseHierarchyStateOnce(h);
    nextTick(h);
    expect(await h.run(hierarchyJob())).toMatchObject({ outcome: 'resync' });
    expect(h.cursors.peek(A, HIERARCHY_CURSOR_ID)!.syncState).toBeUndefined();
    const outcomes = (await h.runUntilQuiet()) as PageOutcome[];
    expect(outcomes[0]).toMatchObject({ type: 'hierarchy', outcome: 'completed', folderChanges: 4 });
    expect(await h.mirrored(A, inbox)).toEqual(h.onServer(A, inbox));
  });

  it('a folder deleted while the hierarchy resyncs (never reported again) loses its mirrored items', async () => {
    const { h, inbox, calendar, hierarchyJob } = await setup();
    await h.tick();
    expect(Object.keys(await h.mirrored(A, calendar))).toHaveLength(2);
    // The hierarchy's SyncState is refused, and the calendar goes meanwhile: the resync from
    // scratch reports the folders that exist, so no deletion of it ever arrives.
    h.server.deleteFolder(A, calendar);
    refuseHierarchyStateOnce(h);
    nextTick(h);
    expect(await h.run(hierarchyJob())).toMatchObject({ outcome: 'resync' });
    await h.runUntilQuiet();
    nextTick(h);
    await h.tick();
    expect(h.cursors.peek(A, calendar)).toMatchObject({ stop: { reason: 'gone' } });
    expect(await h.mirrored(A, calendar)).toEqual({});
    expect(await h.mirrored(A, inbox)).toEqual(h.onServer(A, inbox));
  });

  it('parks the mailbox on a permanent error', async () => {
    const { h, hierarchyJob } = await setup();
    h.server.fault = () => new MailSourceError('permanent', 'ErrorImpersonateUserDenied', 'denied');
    expect(await h.run(hierarchyJob())).toMatchObject({ outcome: 'parked' });
    expect(h.registry.mailboxes.get(A)!.status).toBe('parked');
  });
});
