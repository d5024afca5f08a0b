import { describe, expect, it } from 'vitest';
import { MailSourceError } from '../errors.js';
import { newFolderCursor } from '../hierarchy/folder-cursors.js';
import { type FolderJob, startJob } from '../jobs/builders.js';
import type { PageOutcome } from '../outcome.js';
import type { Clock, ItemPage, MailSource } from '../ports.js';
import { oneFolder } from '../testing/one-folder.js';
import { syncFolderPage } from './sync-folder-page.js';

const A = 'a@example.com';
const B = 'b@example.com';

const setup = oneFolder;

const kinds = (outcomes: { outcome: string }[]) => outcomes.map((o) => o.outcome);

describe('syncFolderPage: the happy path', () => {
  it('syncs a folder in a chain of pages, then incrementally with every change kind', async () => {
    const { h, folderId, start } = await setup();
    const first = await h.run(await start());
    expect(first).toMatchObject({
      outcome: 'advanced',
      pages: 1,
      changes: { written: 10 },
      enqueued: 1,
      fence: 1,
    });
    expect(kinds(await h.runUntilQuiet())).toEqual(['advanced', 'completed']);
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
    const cursor = h.cursors.peek(A, folderId)!;
    expect(cursor).toMatchObject({
      status: 'idle',
      pages: 3,
      changesApplied: 25,
      lastSyncedAt: h.clock.now(),
    });
    expect(cursor.lease).toBeUndefined();
    expect(cursor.nextJobId).toBeUndefined();

    const ids = [...h.server.folder(A, folderId).items.keys()];
    h.server.updateItem(A, folderId, ids[0]!, 'changed');
    h.server.setRead(A, folderId, ids[1]!, true);
    h.server.deleteItem(A, folderId, ids[2]!);
    h.server.createItem(A, folderId);
    const outcome = (await h.run(await start())) as PageOutcome;
    expect(outcome).toMatchObject({ outcome: 'completed', changes: { written: 4 } });
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
    expect((await h.mirror.listLive(A, folderId)).find((r) => r.itemId === ids[0])?.props).toEqual({
      subject: 'changed',
    });
  });

  it('versions only increase, every page writes its items with its own fence', async () => {
    const { h, start } = await setup();
    await h.run(await start());
    await h.runUntilQuiet();
    const versions = h.cursors.history.map((c) => c.version);
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    const fences = h.outcomes.map((o) => (o as PageOutcome).fence);
    // Each page: the lease moves the version (its fence), the advance moves it again.
    expect(fences).toEqual([1, 3, 5]);
  });
});

describe('syncFolderPage: throttling', () => {
  it('pauses the whole mailbox; other jobs of the mailbox honour it without calling the server', async () => {
    const { h, folderId, start } = await setup({}, 5);
    const other = h.server.addFolder(A, { displayName: 'Other' });
    await h.cursors.create(newFolderCursor(A, other, h.clock.now()));
    h.server.fault = () =>
      new MailSourceError('throttled', 'ErrorServerBusy', 'busy', { retryAfterMs: 20_000 });
    const now = h.clock.now();
    const throttled = (await h.run(await start())) as PageOutcome;
    expect(throttled).toMatchObject({ outcome: 'throttled', enqueued: 1 });
    expect(throttled.backoffMs).toBeGreaterThanOrEqual(20_000);
    const backoffUntil = h.registry.mailboxes.get(A)!.backoffUntil!;
    expect(backoffUntil).toBe(now + throttled.backoffMs!);
    const [retry] = h.pending.splice(0);
    expect(retry!.dueAt).toBeGreaterThanOrEqual(backoffUntil);
    expect(retry!.job).toMatchObject({ expectVersion: 2, hop: 0 });
    expect(h.cursors.peek(A, folderId)).toMatchObject({ version: 2, lastError: { code: 'ErrorServerBusy' } });
    expect(h.cursors.peek(A, folderId)!.lease).toBeUndefined();

    h.server.fault = undefined;
    const calls = h.server.calls.length;
    h.clock.advance(5_000);
    const otherJob = startJob((await h.cursors.get(A, other))!, h.random);
    const waited = await h.run(otherJob);
    expect(waited).toMatchObject({ outcome: 'backed-off', enqueued: 1 });
    expect(h.server.calls.length).toBe(calls);
    expect(h.pending[0]!.dueAt).toBeGreaterThanOrEqual(backoffUntil);
    expect(h.pending[0]!.job).toEqual(otherJob);

    // A shorter throttle elsewhere never shortens the pause.
    await h.registry.extendBackoff(A, now);
    expect(h.registry.mailboxes.get(A)!.backoffUntil).toBe(backoffUntil);

    h.pending.push(retry!);
    await h.runUntilQuiet();
    expect(h.server.calls.filter((c) => c.op === 'syncItems').length).toBe(calls + 2);
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
    expect(await h.mirrored(A, other)).toEqual({});
  });

  it('looks at the back-off again right before the call: a pause set meanwhile is honoured', async () => {
    const { h, folderId, start } = await setup({}, 3);
    const acquire = h.registry.acquireSlot.bind(h.registry);
    h.registry.acquireSlot = async (...args) => {
      const slot = await acquire(...args);
      // Another worker is throttled just after we took our slot.
      await h.registry.extendBackoff(A, h.clock.now() + 30_000);
      return slot;
    };
    const outcome = (await h.run(await start())) as PageOutcome;
    expect(outcome).toMatchObject({ outcome: 'backed-off', pages: 0, enqueued: 1 });
    expect(outcome.delaySeconds).toBeGreaterThanOrEqual(30);
    expect(h.server.calls).toEqual([]);
    expect(h.cursors.peek(A, folderId)!.lease).toBeUndefined();
    expect(h.registry.heldSlots(A, h.clock.now())).toBe(0);
    h.registry.acquireSlot = acquire;
    await h.runUntilQuiet();
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
    expect(h.cursors.peek(A, folderId)!.generation).toBe(0);
  });

  it('uses the default pause when the server gave no hint', async () => {
    const { h, start } = await setup({ config: { defaultThrottleMs: 45_000, throttleJitterMs: 1_000 } }, 1);
    h.server.fault = () => new MailSourceError('throttled', 'HTTP_503', 'busy');
    const outcome = (await h.run(await start())) as PageOutcome;
    expect(outcome.backoffMs).toBeGreaterThanOrEqual(45_000);
    expect(outcome.backoffMs).toBeLessThanOrEqual(46_000);
    expect(outcome.delaySeconds).toBe(Math.ceil(outcome.backoffMs! / 1000));
  });
});

describe('syncFolderPage: transient errors', () => {
  it('retries with capped jittered exponential back-off, then stops the chain', async () => {
    const retry = { baseMs: 1_000, capMs: 8_000, maxAttempts: 6 };
    const { h, folderId, start } = await setup({ config: { transientRetry: retry } }, 3);
    h.server.fault = () => new MailSourceError('transient', 'HTTP_500', 'oops');
    const outcomes = [await h.run(await start()), ...(await h.runUntilQuiet())] as PageOutcome[];
    expect(kinds(outcomes)).toEqual(['retrying', 'retrying', 'retrying', 'retrying', 'retrying', 'gave-up']);
    outcomes.slice(0, 5).forEach((o, attempt) => {
      const step = Math.min(8_000, 1_000 * 2 ** attempt);
      expect(o.delaySeconds! * 1000).toBeGreaterThanOrEqual(step / 2);
      expect(o.delaySeconds! * 1000).toBeLessThanOrEqual(step + 1000);
    });
    expect(h.cursors.peek(A, folderId)).toMatchObject({
      status: 'idle',
      statusReason: 'RetriesExhausted',
      lastError: { code: 'HTTP_500' },
    });
    expect(h.pending).toEqual([]);

    h.server.fault = undefined;
    await h.run(await start());
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
    expect(h.cursors.peek(A, folderId)!.lastError).toBeUndefined();
  });

  it('treats protocol errors and unexpected exceptions from the source as transient', async () => {
    const { h, start } = await setup({}, 1);
    h.server.fault = () => new MailSourceError('protocol', 'MalformedXml', 'bad');
    expect(await h.run(await start())).toMatchObject({ outcome: 'retrying', error: { kind: 'protocol' } });
    h.pending.splice(0);
    h.server.fault = () => new TypeError('boom') as unknown as MailSourceError;
    expect(await h.run(await start())).toMatchObject({
      outcome: 'retrying',
      error: { kind: 'transient', code: 'UnexpectedTypeError' },
    });
  });
});

describe('syncFolderPage: invalid sync state', () => {
  it('resyncs from scratch with a new generation and sweeps the items deleted in the gap', async () => {
    const { h, folderId, start } = await setup({}, 25);
    await h.run(await start());
    await h.runUntilQuiet();
    const ids = [...h.server.folder(A, folderId).items.keys()];
    h.server.deleteItem(A, folderId, ids[3]!);
    h.server.deleteItem(A, folderId, ids[17]!);
    h.server.setRead(A, folderId, ids[5]!, true);
    h.server.invalidateSyncStates(A, folderId);
    const generation = h.cursors.peek(A, folderId)!.generation;

    const outcomes = [await h.run(await start()), ...(await h.runUntilQuiet())] as PageOutcome[];
    expect(kinds(outcomes)).toEqual(['resync', 'advanced', 'advanced', 'completed']);
    expect(outcomes.at(-1)!.swept).toBe(2);
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
    expect(h.cursors.peek(A, folderId)).toMatchObject({ generation: generation + 1, status: 'idle' });
    expect(h.cursors.peek(A, folderId)!.resyncPending).toBeUndefined();
  });
});

describe('syncFolderPage: folder gone', () => {
  it('tombstones the folder items and stops the folder for good', async () => {
    const { h, folderId, start } = await setup({}, 5);
    await h.run(await start());
    const job = await start();
    h.server.deleteFolder(A, folderId);
    expect(await h.run(job)).toMatchObject({ outcome: 'gone', tombstoned: 5 });
    expect(await h.mirror.listLive(A, folderId)).toEqual([]);
    expect(h.cursors.peek(A, folderId)).toMatchObject({
      stop: { reason: 'gone', code: 'ErrorSyncFolderNotFound' },
    });
    expect(
      await h.run({ ...job, jobId: 'late', expectVersion: h.cursors.peek(A, folderId)!.version }),
    ).toMatchObject({
      outcome: 'dropped-gone',
    });
  });
});

describe('syncFolderPage: loop guards', () => {
  it('stops a chain when the server repeats the SyncState while claiming more, after maxEmptyPages tries', async () => {
    const { h, folderId, start } = await setup({}, 1);
    await h.run(await start());
    const stuck: MailSource = {
      ...h.server,
      syncItems: async (request): Promise<ItemPage> => ({
        syncState: request.syncState!,
        more: true,
        changes: [],
      }),
      syncHierarchy: (r) => h.server.syncHierarchy(r),
      resolveWellKnownFolders: (r) => h.server.resolveWellKnownFolders(r),
    };
    // The same state again is tried again (Graph may hand out the same nextLink with an empty
    // page and the changes at the next try), as long as the empty pages stay under the limit.
    const deps = { ...h.deps, mailSource: stuck };
    const first = await syncFolderPage(deps, await start(), h.context());
    expect(first).toMatchObject({ outcome: 'advanced', enqueued: 1 });
    h.collect();
    let outcome = first;
    for (let i = 1; i < h.config.maxEmptyPages; i++) {
      outcome = await syncFolderPage(deps, h.takeNext() as FolderJob, h.context());
      h.collect();
    }
    expect(outcome).toMatchObject({ outcome: 'not-advancing', enqueued: 0 });
    expect(h.takeNext()).toBeUndefined();
    expect(h.cursors.peek(A, folderId)).toMatchObject({
      status: 'idle',
      lastError: { code: 'SyncStateNotAdvancing' },
    });
  });

  it('stops after maxHops; the next start resumes from the stored SyncState', async () => {
    const { h, folderId, start } = await setup({ config: { maxHops: 1 } }, 35);
    const outcomes = [await h.run(await start()), ...(await h.runUntilQuiet())];
    expect(kinds(outcomes)).toEqual(['advanced', 'max-hops']);
    expect(h.cursors.peek(A, folderId)).toMatchObject({
      status: 'idle',
      lastError: { code: 'MaxHopsExceeded' },
    });
    expect(h.cursors.peek(A, folderId)!.nextJobId).toBeUndefined();
    const resumed = [await h.run(await start()), ...(await h.runUntilQuiet())];
    expect(kinds(resumed)).toEqual(['advanced', 'completed']);
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
    expect(h.cursors.peek(A, folderId)!.pages).toBe(4);
  });
});

describe('syncFolderPage: permanent errors', () => {
  it('parks the mailbox with a reason while other mailboxes go on', async () => {
    const { h, folderId, start } = await setup({}, 3);
    await h.addMailbox(B);
    const bFolder = h.server.addFolder(B, { displayName: 'Inbox' });
    h.server.createItem(B, bFolder);
    await h.cursors.create(newFolderCursor(B, bFolder, h.clock.now()));
    h.server.fault = (call) =>
      call.mailboxId === A
        ? new MailSourceError('permanent', 'ErrorNonExistentMailbox', 'no such mailbox')
        : undefined;

    expect(await h.run(await start())).toMatchObject({
      outcome: 'parked',
      error: { code: 'ErrorNonExistentMailbox' },
    });
    expect(h.registry.mailboxes.get(A)).toMatchObject({
      status: 'parked',
      parkedReason: 'ErrorNonExistentMailbox: no such mailbox',
    });
    expect(h.cursors.peek(A, folderId)!.lease).toBeUndefined();
    expect(await h.run(await start())).toMatchObject({ outcome: 'dropped-parked' });
    await h.run(startJob((await h.cursors.get(B, bFolder))!, h.random));
    expect(await h.mirrored(B, bFolder)).toEqual(h.onServer(B, bFolder));
  });

  it('parks on auth errors too', async () => {
    const { h, start } = await setup({}, 1);
    h.server.fault = () => new MailSourceError('auth', 'HTTP_401', 'unauthorized');
    expect(await h.run(await start())).toMatchObject({ outcome: 'parked' });
  });
});

describe('syncFolderPage: who owns a job', () => {
  it('drops a stale job and a job for a removed mailbox or folder', async () => {
    const { h, folderId, start } = await setup({}, 3);
    const job = await start();
    await h.run(job);
    expect(await h.run({ ...job, jobId: 'other' })).toMatchObject({ outcome: 'dropped-stale' });
    expect(await h.run({ ...job, folderId: 'nope' })).toMatchObject({ outcome: 'dropped-missing' });
    await h.registry.remove(A);
    expect(await h.run(job)).toMatchObject({ outcome: 'dropped-missing' });
    expect(h.cursors.peek(A, folderId)!.version).toBe(2);
  });

  it('a copy of a job whose holder is alive waits for the lease; after the holder is done it is harmless', async () => {
    const { h, folderId, start } = await setup({}, 25);
    const job = await start();
    let release!: () => void;
    h.server.gate = () => new Promise<void>((resolve) => (release = resolve));
    const holder = h.run(job, 'one');
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    h.server.gate = undefined;
    const copy = (await syncFolderPage(h.deps, job, h.context('two'))) as PageOutcome;
    expect(copy.outcome).toBe('duplicate');
    expect(copy.delaySeconds! * 1000).toBeGreaterThanOrEqual(h.config.leaseMs);
    release();
    expect(await holder).toMatchObject({ outcome: 'advanced' });
    // The copy comes back after the holder advanced: it re-sends the promised follow-up.
    expect(await syncFolderPage(h.deps, job, h.context('two'))).toMatchObject({
      outcome: 'resent-follow-up',
    });
    await h.runUntilQuiet();
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
    expect(h.server.calls.filter((c) => c.op === 'syncItems').length).toBe(3);
  });

  it('a crash after the advance and before the follow-up is repaired by the redelivery', async () => {
    const { h, folderId, start } = await setup({}, 25);
    const job = await start();
    h.queue.failures = 1;
    await expect(syncFolderPage(h.deps, job, h.context())).rejects.toThrow('queue send failed');
    expect(h.cursors.peek(A, folderId)).toMatchObject({ doneJobId: job.jobId, status: 'syncing' });
    expect(await h.run(job)).toMatchObject({ outcome: 'resent-follow-up' });
    await h.runUntilQuiet();
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });

  it('a lost retry message is repaired by the redelivery of the job that failed', async () => {
    const { h, folderId, start } = await setup({}, 3);
    const job = await start();
    h.server.fault = () => new MailSourceError('transient', 'HTTP_500', 'oops');
    h.queue.failures = 1;
    await expect(syncFolderPage(h.deps, job, h.context())).rejects.toThrow('queue send failed');
    h.server.fault = undefined;
    expect(await h.run(job)).toMatchObject({ outcome: 'resent-follow-up' });
    await h.runUntilQuiet();
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });
});

describe('syncFolderPage: crashes mid-page', () => {
  it('a lease taken over from a dead holder resyncs, removing items created and deleted meanwhile', async () => {
    const { h, folderId, start } = await setup({}, 5);
    await h.run(await start());
    const phantom = h.server.createItem(A, folderId);
    const job = await start();
    // A killed worker: the apply completes, nothing after it ever runs.
    const apply = h.mirror.apply.bind(h.mirror);
    let applied!: () => void;
    const done = new Promise<void>((resolve) => (applied = resolve));
    h.mirror.apply = async (write, changes) => {
      await apply(write, changes);
      applied();
      return new Promise(() => {});
    };
    void syncFolderPage(h.deps, job, h.context());
    await done;
    h.mirror.apply = apply;
    expect(await h.mirrored(A, folderId)).toHaveProperty(phantom);
    h.server.deleteItem(A, folderId, phantom);

    // Redelivered while the dead holder's lease still looks alive: wait for it.
    expect(await h.run(job)).toMatchObject({ outcome: 'duplicate' });
    const outcomes = await h.runUntilQuiet();
    expect(kinds(outcomes)).toEqual(['completed']);
    expect(h.cursors.peek(A, folderId)!.generation).toBe(1);
    expect((outcomes[0] as PageOutcome).swept).toBe(1);
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });

  it('a failed item write after the call releases the lease as a resync and retries', async () => {
    const { h, folderId, start } = await setup({}, 5);
    await h.run(await start());
    const phantom = h.server.createItem(A, folderId);
    let fail = true;
    h.mirror.beforeWrite = () => {
      if (fail) {
        fail = false;
        throw new Error('ProvisionedThroughputExceeded');
      }
    };
    const outcome = (await h.run(await start())) as PageOutcome;
    expect(outcome).toMatchObject({ outcome: 'retrying', error: { code: 'UnexpectedError' } });
    expect(h.cursors.peek(A, folderId)).toMatchObject({ resyncPending: true, generation: 1 });
    h.server.deleteItem(A, folderId, phantom);
    await h.runUntilQuiet();
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });
});

describe('syncFolderPage: mailbox slots', () => {
  it('re-sends the same job with a short delay when every slot is taken, without calling the server', async () => {
    const { h, folderId, start } = await setup({ config: { slotRetry: { baseMs: 1_000, capMs: 5_000 } } }, 3);
    for (let i = 0; i < 4; i++)
      await h.registry.acquireSlot(A, 4, `other-${i}`, h.clock.now() + 60_000, h.clock.now());
    const job = await start();
    const outcome = (await h.run(job)) as PageOutcome;
    expect(outcome).toMatchObject({ outcome: 'no-slot', enqueued: 1 });
    expect(outcome.delaySeconds).toBeGreaterThanOrEqual(1);
    expect(outcome.delaySeconds).toBeLessThanOrEqual(5);
    expect(h.pending[0]!.job).toEqual(job);
    expect(h.server.calls).toEqual([]);
    expect(h.cursors.peek(A, folderId)!.version).toBe(0);

    h.clock.advance(60_000);
    await h.runUntilQuiet();
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
    expect(h.registry.heldSlots(A, h.clock.now())).toBe(0);
  });
});

describe('syncFolderPage: waiting for a slot in-process', () => {
  it('takes a slot that frees within slotWaitMs instead of re-enqueueing', async () => {
    const { h, folderId, start } = await setup({ config: { slotWaitMs: 3_000 } }, 3);
    for (let i = 0; i < 4; i++)
      await h.registry.acquireSlot(A, 4, `other-${i}`, h.clock.now() + 500, h.clock.now());
    const slept: number[] = [];
    (h.clock as Clock).sleep = async (ms) => {
      slept.push(ms);
      h.clock.advance(ms);
    };
    const outcome = (await h.run(await start())) as PageOutcome;
    expect(outcome.outcome).toBe('completed');
    expect(slept.length).toBeGreaterThan(1);
    expect(slept.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(500);
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });

  it('gives up after slotWaitMs and re-enqueues', async () => {
    const { h, start } = await setup({ config: { slotWaitMs: 1_000 } }, 3);
    for (let i = 0; i < 4; i++)
      await h.registry.acquireSlot(A, 4, `other-${i}`, h.clock.now() + 60_000, h.clock.now());
    const before = h.clock.now();
    (h.clock as Clock).sleep = async (ms) => h.clock.advance(ms);
    const outcome = (await h.run(await start())) as PageOutcome;
    expect(outcome.outcome).toBe('no-slot');
    expect(h.clock.now() - before).toBeLessThanOrEqual(1_000);
    expect(h.server.calls).toEqual([]);
  });
});

describe('syncFolderPage: a chain keeps its slot', () => {
  it('reserves the slot for the promised follow-up, which gets it while strangers fill the rest', async () => {
    const { h, folderId, start } = await setup({}, 25);
    const first = (await h.run(await start())) as PageOutcome;
    expect(first.outcome).toBe('advanced');
    expect(h.registry.heldSlots(A, h.clock.now())).toBe(1);
    for (let i = 0; i < 3; i++)
      await h.registry.acquireSlot(A, 4, `stranger-${i}`, h.clock.now() + 60_000, h.clock.now());
    expect(await h.registry.acquireSlot(A, 4, 'late', h.clock.now() + 60_000, h.clock.now())).toBeUndefined();
    expect(kinds(await h.runUntilQuiet())).toEqual(['advanced', 'completed']);
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
    expect(h.registry.heldSlots(A, h.clock.now())).toBe(3);
  });
});

describe('syncFolderPage: time budget', () => {
  it('does not start a page with too little time left', async () => {
    const { h, start } = await setup({}, 3);
    const job = await start();
    expect(await syncFolderPage(h.deps, job, h.context('w', 5_000))).toMatchObject({
      outcome: 'deferred',
      enqueued: 1,
    });
    expect(h.queue.jobs()).toEqual([job]);
    expect(h.server.calls).toEqual([]);
  });

  it('hands a fetched page on instead of writing items it may not get to confirm', async () => {
    const { h, folderId, start } = await setup({}, 3);
    let remaining = 60_000;
    h.server.gate = async () => {
      remaining = 1_000;
    };
    const outcome = await syncFolderPage(h.deps, await start(), { owner: 'w', remainingMs: () => remaining });
    expect(outcome).toMatchObject({ outcome: 'deferred', pages: 1, changes: { written: 0 } });
    expect(await h.mirror.listLive(A, folderId)).toEqual([]);
    h.server.gate = undefined;
    h.collect();
    await h.runUntilQuiet();
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
    // Handed on cleanly: no resync was needed.
    expect(h.cursors.peek(A, folderId)!.generation).toBe(0);
  });
});
