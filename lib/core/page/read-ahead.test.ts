// Reading ahead along an inline chain: the follow-up's call overlaps the page's writes, is used
// only for exactly the state it was read from, never adds a call in flight beyond the slot, and
// a throttle answer to it is the mailbox's pause at once.
import { describe, expect, it } from 'vitest';
import { MailSourceError } from '../errors.js';
import type { JobOutcome } from '../jobs/job-kind.js';
import { runSyncJob } from '../jobs/registry.js';
import { MAILBOX_A as A, oneFolder } from '../testing/one-folder.js';

const inline = { config: { pagesPerInvocation: 4 } };
const kinds = (outcomes: { outcome: string }[]) => outcomes.map((o) => o.outcome);

/** A promise and the function that resolves it. */
function latch() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

async function reached(ready: () => boolean): Promise<void> {
  for (let n = 0; n < 1_000 && !ready(); n++) await new Promise((r) => setImmediate(r));
  if (!ready()) throw new Error('never got there');
}

describe('reading ahead along an inline chain', () => {
  it("calls the server for the next page while this page's items are written", async () => {
    const { h, folderId, start } = await oneFolder(inline, 35);
    const apply = h.mirror.apply.bind(h.mirror);
    const firstApply = latch();
    let applies = 0;
    h.mirror.apply = async (write, changes) => {
      if (++applies === 1) await firstApply.opened;
      return apply(write, changes);
    };
    const heard: JobOutcome[] = [];
    const running = runSyncJob(
      h.deps,
      await start(),
      h.context('w', 60_000, (o) => heard.push(o)),
    );
    // The first page's apply waits; the second page's call has already been made.
    await reached(() => h.server.calls.length === 2);
    expect(applies).toBe(1);
    expect(heard).toEqual([]);
    firstApply.open();
    const last = await running;
    expect(kinds([...heard, last])).toEqual(['advanced', 'advanced', 'advanced', 'completed']);
    // Each page's call once: none was read ahead for nothing.
    expect(h.server.calls).toHaveLength(4);
    expect(h.server.maxInFlight.get(A)).toBe(1);
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });

  it('is not used when the mailbox changed under it: the page calls the server itself', async () => {
    const { h, folderId, start } = await oneFolder(inline, 25);
    // While the first page is at the server, an operator changes the mailbox (a new credential
    // reference).
    h.server.gate = async () => {
      if (h.server.calls.length !== 1) return;
      const mailbox = h.registry.mailboxes.get(A)!;
      h.registry.mailboxes.set(A, {
        ...mailbox,
        source: { ...mailbox.source, changedBy: 'operator' } as never,
      });
    };
    const outcomes = await h.deliver(await start());
    expect(kinds(outcomes)).toEqual(['advanced', 'advanced', 'completed']);
    // The second page's call twice: read ahead (discarded), then its own.
    expect(h.server.calls).toHaveLength(4);
    expect(h.server.maxInFlight.get(A)).toBe(1);
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });

  it('is aborted and waited for before the slot is freed when the page fails to write', async () => {
    const { h, folderId, start } = await oneFolder(inline, 25);
    const apply = h.mirror.apply.bind(h.mirror);
    let applies = 0;
    h.mirror.apply = async (write, changes) => {
      if (++applies === 1) throw new Error('DynamoDB unavailable');
      return apply(write, changes);
    };
    // The read ahead is still at the server when the page fails.
    const release = latch();
    h.server.gate = () => (h.server.calls.length === 2 ? release.opened : Promise.resolve());
    const delivered = h.deliver(await start());
    await reached(() => h.server.calls.length === 2);
    let slotsWhileInFlight: unknown[] = [];
    setImmediate(() => {
      slotsWhileInFlight = (h.registry.slots.get(A) ?? []).filter(Boolean);
      release.open();
    });
    const outcomes = await delivered;
    expect(kinds(outcomes)).toEqual(['retrying']);
    // The slot was still held while the read ahead was at the server, and is free now.
    expect(slotsWhileInFlight).toHaveLength(1);
    expect((h.registry.slots.get(A) ?? []).filter(Boolean)).toEqual([]);
    h.mirror.apply = apply;
    h.server.gate = undefined;
    await h.runUntilQuiet();
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });

  it('records a throttle answer to it as the mailbox pause, and the page it was for waits it out', async () => {
    const { h, folderId, start } = await oneFolder(inline, 25);
    let syncCalls = 0;
    h.server.fault = (call) =>
      call.op === 'syncItems' && ++syncCalls === 2
        ? new MailSourceError('throttled', 'ErrorServerBusy', 'busy', { retryAfterMs: 30_000 })
        : undefined;
    const outcomes = await h.deliver(await start());
    expect(kinds(outcomes)).toEqual(['advanced', 'throttled']);
    const pausedUntil = h.registry.mailboxes.get(A)!.backoffUntil!;
    expect(pausedUntil).toBeGreaterThanOrEqual(h.clock.now() + 30_000);
    expect(h.server.calls).toHaveLength(2);
    // The second page comes back after the pause, not before.
    expect(h.pending).toHaveLength(1);
    expect(h.pending[0]!.dueAt).toBeGreaterThanOrEqual(pausedUntil);
    await h.runUntilQuiet();
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });

  it("calls for a lane's next folder while the folder before it writes", async () => {
    // Room for the hierarchy page and all four folders in one run.
    const { h } = await oneFolder({ config: { pagesPerInvocation: 8 } }, 0);
    const mailbox = h.registry.mailboxes.get(A)!;
    h.registry.mailboxes.set(A, { ...mailbox, maxConcurrentSyncs: 1 });
    const folders = Array.from({ length: 3 }, (_, i) => h.server.addFolder(A, { displayName: `f${i}` }));
    for (const f of folders) h.server.createItem(A, f);
    const events: string[] = [];
    h.server.gate = async (call) => {
      if (call.op === 'syncItems') events.push(`call:${call.folderId}`);
    };
    const apply = h.mirror.apply.bind(h.mirror);
    h.mirror.apply = async (write, changes) => {
      events.push(`apply:${write.folderId}`);
      // A store round trip: long enough for a call issued meanwhile to reach the server.
      await new Promise((resolve) => setImmediate(resolve));
      const result = await apply(write, changes);
      events.push(`applied:${write.folderId}`);
      return result;
    };
    await h.tick();
    // One lane: the next folder's call goes out while the folder before it writes.
    // (Between a folder's own call and the end of its writes.)
    const overlapped = events.filter((event, i) => {
      if (!event.startsWith('applied:')) return false;
      const folder = event.slice('applied:'.length);
      const ownCall = events.lastIndexOf(`call:${folder}`, i);
      return events.slice(ownCall + 1, i).some((e) => e.startsWith('call:'));
    });
    expect(overlapped.length).toBeGreaterThanOrEqual(2);
    expect(h.server.maxInFlight.get(A)).toBe(1);
    for (const f of folders) expect(await h.mirrored(A, f)).toEqual(h.onServer(A, f));
  });
});
