// A server cannot make the engine pay without bound: a pause it asks for is capped (and parks the
// mailbox beyond the cap), a chain of empty pages that claim more stops, paused mailboxes get no
// new chains, and server text is kept short wherever it is stored.
import { describe, expect, it } from 'vitest';
import { MailSourceError } from '../errors.js';
import { syncFolderPage } from '../folder/sync-folder-page.js';
import type { ItemPage } from '../ports.js';
import { fanOutTick } from '../schedule/fan-out-tick.js';
import type { Harness } from '../testing/harness.js';
import { oneFolder } from '../testing/one-folder.js';
import { MAX_SERVER_TEXT } from './throttle.js';

const A = 'a@example.com';
const YEAR_MS = 365 * 24 * 3_600_000;

const setup = (items = 3, options: ConstructorParameters<typeof Harness>[0] = {}) =>
  oneFolder(options, items);

describe('a pause the server asks for', () => {
  it('is honoured up to the cap', async () => {
    const { h, start } = await setup();
    h.server.fault = () =>
      new MailSourceError('throttled', 'ErrorServerBusy', 'busy', { retryAfterMs: 60_000 });
    expect(await h.run(await start())).toMatchObject({ outcome: 'throttled' });
    expect(h.registry.mailboxes.get(A)).toMatchObject({ status: 'enabled' });
    expect(h.registry.mailboxes.get(A)!.backoffUntil).toBeGreaterThanOrEqual(h.clock.now() + 60_000);
  });

  it('beyond the cap is cut to it, and the mailbox is parked with the reason', async () => {
    const { h, folderId, start } = await setup();
    h.server.fault = () =>
      new MailSourceError('throttled', 'ErrorServerBusy', 'busy', { retryAfterMs: YEAR_MS });
    expect(await h.run(await start())).toMatchObject({ outcome: 'parked' });
    const mailbox = h.registry.mailboxes.get(A)!;
    expect(mailbox.status).toBe('parked');
    expect(mailbox.parkedReason).toMatch(/^ThrottledTooLong: the server asked for a pause of 31536000 s/);
    const cap = h.config.maxBackoffMs + h.config.throttleJitterMs;
    expect(mailbox.backoffUntil! - h.clock.now()).toBeLessThanOrEqual(cap);
    // Nothing circulates: the chain ended and no job was sent.
    expect(h.pending).toEqual([]);
    expect(h.cursors.peek(A, folderId)).toMatchObject({ status: 'idle', statusReason: 'MailboxParked' });
  });

  it('pauses the mailbox in the fan-out too: a paused mailbox gets no new chain', async () => {
    const { h } = await setup();
    await h.registry.extendBackoff(A, h.clock.now() + 60_000);
    expect(await fanOutTick(h.deps, h.context())).toMatchObject({ mailboxesScanned: 1, hierarchyJobs: 0 });
    h.clock.advance(60_001);
    expect(await fanOutTick(h.deps, h.context())).toMatchObject({ hierarchyJobs: 1 });
  });
});

describe('a chain the server keeps going', () => {
  it('stops after empty pages in a row that claim more, each with a fresh SyncState', async () => {
    const { h, folderId, start } = await setup(0);
    let state = 0;
    h.deps.mailSource = {
      syncHierarchy: (request) => h.server.syncHierarchy(request),
      resolveWellKnownFolders: (request) => h.server.resolveWellKnownFolders(request),
      syncItems: async (): Promise<ItemPage> => ({
        syncState: `fresh-${++state}`,
        more: true,
        changes: [],
      }),
    };
    await h.run(await start());
    const outcomes = await h.runUntilQuiet(100);
    expect(outcomes.map((o) => o.outcome)).toEqual(['advanced', 'not-advancing']);
    expect(state).toBe(h.config.maxEmptyPages);
    const cursor = h.cursors.peek(A, folderId)!;
    expect(cursor).toMatchObject({ status: 'idle', statusReason: 'EmptyPagesNotAdvancing' });
    expect(cursor.emptyPages).toBeUndefined();
  });
});

describe('server text', () => {
  it('is cut short in the cursor, the parked reason and the outcome', async () => {
    const { h, folderId, start } = await setup();
    const huge = 'x'.repeat(200_000);
    h.server.fault = () => new MailSourceError('permanent', 'ErrorAccessDenied', huge);
    const outcome = await h.run(await start());
    expect(outcome).toMatchObject({ outcome: 'parked' });
    const cursor = h.cursors.peek(A, folderId)!;
    expect(cursor.lastError!.message.length).toBeLessThan(MAX_SERVER_TEXT + 40);
    expect(cursor.lastError!.message).toMatch(/\(200000 chars\)$/);
    expect(h.registry.mailboxes.get(A)!.parkedReason!.length).toBeLessThan(MAX_SERVER_TEXT + 40);
    expect(JSON.stringify(outcome).length).toBeLessThan(5_000);
  });
});

describe('a server call', () => {
  // The budget runs on the deps' clock (call-budget.ts): here a clock moved by hand, so these
  // tests decide when time passes, and real time never does.
  it('gets only the time its page can spare, and a call cut short releases the page cleanly', async () => {
    const { h, folderId, start } = await setup(3, { config: { timeReserve: { startMs: 100, applyMs: 50 } } });
    let abortedOnTime: boolean | undefined;
    h.deps.mailSource = {
      syncHierarchy: (request) => h.server.syncHierarchy(request),
      resolveWellKnownFolders: (request) => h.server.resolveWellKnownFolders(request),
      // Answers only when told to stop; meanwhile its clock passes the budget.
      syncItems: ({ signal }) => {
        const answer = new Promise<ItemPage>((_, reject) =>
          signal?.addEventListener('abort', () => reject(signal.reason)),
        );
        h.clock.advance(79);
        const early = signal?.aborted;
        h.clock.advance(1);
        abortedOnTime = early === false && signal?.aborted;
        return answer;
      },
    };
    // 80 ms more than the apply and the advance need: the call may take that much.
    const context = h.context('worker', 130);
    const outcome = await syncFolderPage(h.deps, await start(), context);
    expect(abortedOnTime).toBe(true);
    expect(outcome).toMatchObject({ outcome: 'retrying', enqueued: 1 });
    // Nothing was written, so no resync: the retry goes on from the same SyncState.
    expect(h.cursors.peek(A, folderId)).toMatchObject({ generation: 0, status: 'syncing' });
    expect(h.cursors.peek(A, folderId)!.lease).toBeUndefined();
  });

  it('is not cut short by real time its clock did not see (a page with 1 ms to spare)', async () => {
    const { h, folderId, start } = await setup(3, { config: { timeReserve: { startMs: 0, applyMs: 50 } } });
    h.deps.mailSource = {
      syncHierarchy: (request) => h.server.syncHierarchy(request),
      resolveWellKnownFolders: (request) => h.server.resolveWellKnownFolders(request),
      // The network is slow in real time; the fake server refuses a call whose signal fired.
      syncItems: async (request) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return h.server.syncItems(request);
      },
    };
    const outcome = await syncFolderPage(h.deps, await start(), h.context('worker', 51));
    // The folder's three items came in one page.
    expect(outcome).toMatchObject({ outcome: 'completed' });
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
    expect(Object.keys(await h.mirrored(A, folderId))).toHaveLength(3);
  });
});

describe('a mailbox parked for a reason Exchange reports intermittently', () => {
  it('is tried again by the tick after an hour, and parked again if it fails the same way', async () => {
    const { h } = await setup();
    await h.registry.park(A, 'HTTP_401: unauthorized', h.clock.now());
    expect(await fanOutTick(h.deps, h.context())).toMatchObject({ hierarchyJobs: 0 });
    h.clock.advance(h.config.parkedRecheckMs);
    expect(await fanOutTick(h.deps, h.context())).toMatchObject({ rechecked: 1, hierarchyJobs: 1 });
    expect(h.registry.mailboxes.get(A)!.status).toBe('enabled');

    h.server.fault = () => new MailSourceError('auth', 'HTTP_401', 'unauthorized');
    await h.runUntilQuiet();
    expect(h.registry.mailboxes.get(A)).toMatchObject({ status: 'parked', updatedAt: h.clock.now() });
    expect(await fanOutTick(h.deps, h.context())).toMatchObject({ hierarchyJobs: 0 });
  });

  it('is tried again after ErrorImpersonationFailed, which an unreachable directory causes too', async () => {
    const { h, start } = await setup();
    h.server.fault = () =>
      new MailSourceError('permanent', 'ErrorImpersonationFailed', 'server-to-server authentication failed');
    expect(await h.run(await start())).toMatchObject({ outcome: 'parked' });
    h.server.fault = undefined;
    h.clock.advance(h.config.parkedRecheckMs);
    expect(await fanOutTick(h.deps, h.context())).toMatchObject({ rechecked: 1, hierarchyJobs: 1 });
    expect(h.registry.mailboxes.get(A)!.status).toBe('enabled');
  });

  it('stays parked when parked by an operator or for a reason an administrator must fix', async () => {
    const { h } = await setup();
    for (const reason of ['ErrorInvalidLicense: no licence', 'ErrorAccessDenied: access is denied']) {
      await h.registry.park(A, reason, h.clock.now());
      h.clock.advance(10 * h.config.parkedRecheckMs);
      expect(await fanOutTick(h.deps, h.context())).toMatchObject({ hierarchyJobs: 0 });
      expect(h.registry.mailboxes.get(A)!.status).toBe('parked');
    }
  });
});

describe('a parked mailbox', () => {
  it('ends the chains whose jobs arrive: their cursors do not stay syncing', async () => {
    const { h, folderId, start } = await setup(5);
    await h.registry.put({ ...h.registry.mailboxes.get(A)!, pageSize: 2 });
    await h.run(await start());
    expect(h.cursors.peek(A, folderId)!.status).toBe('syncing');
    await h.registry.park(A, 'operator: maintenance', h.clock.now());
    expect((await h.runUntilQuiet()).map((o) => o.outcome)).toEqual(['dropped-parked']);
    expect(h.cursors.peek(A, folderId)).toMatchObject({ status: 'idle', statusReason: 'MailboxParked' });
    // Unparked, the next tick syncs it again: nothing waits for stuck detection.
    await h.registry.unpark(A, h.clock.now());
    h.clock.advance(h.config.syncIntervalMs);
    await h.tick();
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });
});
