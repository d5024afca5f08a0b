import { describe, expect, it } from 'vitest';
import { newFolderCursor } from '../hierarchy/folder-cursors.js';
import { serializeSyncJob } from '../jobs/registry.js';
import { HIERARCHY_CURSOR_ID } from '../model.js';
import type { SyncJob } from '../ports.js';
import { Harness } from '../testing/harness.js';
import { InMemoryDeadLetterQueue } from '../testing/in-memory-dead-letters.js';
import { listDeadLetters, unrecordedReason } from './dead-letters.js';
import { type RedriveOptions, redriveDeadLetters } from './redrive-dead-letters.js';

const A = 'a@example.com';
const MINUTE = 60_000;

async function world() {
  const h = new Harness();
  await h.addMailbox(A);
  const dlq = new InMemoryDeadLetterQueue(h.clock);
  const deps = { ...h.deps, deadLetters: dlq };
  const redrive = (options: Partial<RedriveOptions> = {}) =>
    redriveDeadLetters(deps, { limit: 100, ...options });
  return { h, dlq, redrive };
}

function folderJob(folderId: string, fields: Partial<SyncJob> = {}): string {
  return serializeSyncJob({
    v: 1,
    type: 'folder',
    mailboxId: A,
    folderId,
    jobId: `dead-${folderId}`,
    expectVersion: 3,
    hop: 7,
    ...fields,
  } as SyncJob);
}

/** A tick's continuation; its token is the registry key {"pk":"a","sk":"b"}. */
const FAN_OUT_JOB = serializeSyncJob({
  v: 1,
  type: 'fanout',
  jobId: 'f',
  next: 'eyJwayI6ImEiLCJzayI6ImIifQ',
  tickAt: 1,
  hop: 2,
});

const hierarchyJob = (mailboxId = A) =>
  serializeSyncJob({ v: 1, type: 'hierarchy', mailboxId, jobId: 'dead-h', expectVersion: 1, hop: 0 });

describe('listDeadLetters', () => {
  it('describes each dead letter and leaves every one in the queue, visible', async () => {
    const { h, dlq } = await world();
    const folder = dlq.put(folderJob('inbox'), { receiveCount: 5 });
    dlq.put(hierarchyJob());
    dlq.put(FAN_OUT_JOB);
    dlq.put('{"v":1', { reason: 'body is not JSON (...)', sourceMessageId: 'src-1' });
    dlq.put('{"type":"folder"}');

    const views = await listDeadLetters(dlq, 100);
    expect(views).toEqual([
      {
        messageId: folder,
        kind: 'folder',
        mailboxId: A,
        folderId: 'inbox',
        jobId: 'dead-inbox',
        receiveCount: 6,
        sentAt: h.clock.now(),
        reason: unrecordedReason(folder),
        reasonRecorded: false,
      },
      expect.objectContaining({
        kind: 'hierarchy',
        mailboxId: A,
        folderId: HIERARCHY_CURSOR_ID,
        jobId: 'dead-h',
      }),
      expect.objectContaining({ kind: 'fanout', jobId: 'f', reasonRecorded: false }),
      expect.objectContaining({ kind: 'invalid', reason: 'body is not JSON (...)', reasonRecorded: true }),
      // Not moved by the worker: the parse error is the reason.
      expect.objectContaining({
        kind: 'invalid',
        reason: expect.stringContaining('v:'),
        reasonRecorded: true,
      }),
    ]);
    expect(views[3]).not.toHaveProperty('mailboxId');
    expect(dlq.peek().every((m) => m.visible)).toBe(true);
    expect(h.queue.sent).toEqual([]);
  });

  it('pages up to the limit, never the same message twice', async () => {
    const { dlq } = await world();
    for (let i = 0; i < 25; i++) dlq.put(folderJob(`f${i}`));
    const views = await listDeadLetters(dlq, 12);
    expect(views).toHaveLength(12);
    expect(new Set(views.map((v) => v.messageId)).size).toBe(12);
    expect((await listDeadLetters(dlq, 100)).length).toBe(25);
    expect(dlq.peek().filter((m) => m.visible)).toHaveLength(25);
  });
});

describe('redriveDeadLetters', () => {
  it('starts one fresh chain for a stale job at the cursor version, then deletes the dead letter', async () => {
    const { h, dlq, redrive } = await world();
    await h.cursors.create(
      newFolderCursor(A, 'inbox', h.clock.now(), { version: 9, lastSyncedAt: h.clock.now() }),
    );
    dlq.put(folderJob('inbox', { expectVersion: 3 }));
    const { entries } = await redrive();
    expect(entries).toEqual([
      expect.objectContaining({ action: 'started', letter: 'deleted', folderId: 'inbox' }),
    ]);
    expect(h.queue.jobs()).toEqual([
      expect.objectContaining({ type: 'folder', mailboxId: A, folderId: 'inbox', expectVersion: 9, hop: 0 }),
    ]);
    expect(h.queue.jobs()[0]!.jobId).not.toBe('dead-inbox');
    expect(dlq.peek()).toEqual([]);
  });

  it('starts nothing beside a running chain, and one chain for two dead letters of a folder', async () => {
    const { h, dlq, redrive } = await world();
    const now = h.clock.now();
    await h.cursors.create(
      newFolderCursor(A, 'busy', now, {
        status: 'syncing',
        lease: { owner: 'w', jobId: 'live', until: now + MINUTE },
      }),
    );
    await h.cursors.create(newFolderCursor(A, 'inbox', now));
    dlq.put(folderJob('busy'));
    dlq.put(folderJob('inbox', { jobId: 'one' }));
    dlq.put(folderJob('inbox', { jobId: 'two' }));
    const { entries } = await redrive();
    expect(entries.map((e) => [e.folderId, e.action, e.letter])).toEqual([
      ['busy', 'running', 'deleted'],
      ['inbox', 'started', 'deleted'],
      ['inbox', 'running', 'deleted'],
    ]);
    expect(h.queue.jobs().map((j) => (j.type === 'folder' ? j.folderId : j.type))).toEqual(['inbox']);
  });

  it('restarts a chain whose only way on is the dead job, before stuck detection would', async () => {
    const { h, dlq, redrive } = await world();
    const now = h.clock.now();
    // The follow-up the last advance promised is the dead letter; another syncing folder waits on
    // a job that is still in circulation.
    await h.cursors.create(
      newFolderCursor(A, 'inbox', now, { status: 'syncing', nextJobId: 'dead-inbox', version: 4 }),
    );
    await h.cursors.create(
      newFolderCursor(A, 'held', now, {
        status: 'syncing',
        lease: { owner: 'w', jobId: 'dead-held', until: now - 1 },
      }),
    );
    await h.cursors.create(newFolderCursor(A, 'other', now, { status: 'syncing', nextJobId: 'elsewhere' }));
    for (const folderId of ['inbox', 'held', 'other']) dlq.put(folderJob(folderId));
    const { entries } = await redrive();
    expect(entries.map((e) => [e.folderId, e.action])).toEqual([
      ['inbox', 'started'],
      ['held', 'started'],
      ['other', 'running'],
    ]);
    expect(h.queue.jobs()).toEqual([
      expect.objectContaining({ folderId: 'inbox', expectVersion: 4 }),
      expect.objectContaining({ folderId: 'held' }),
    ]);
  });

  it('keeps invalid messages and orphans unless asked to drop them; keeps a parked mailbox’s jobs', async () => {
    const { h, dlq, redrive } = await world();
    await h.addMailbox('parked@example.com', { status: 'parked', parkedReason: 'auth' });
    await h.cursors.create(
      newFolderCursor(A, 'gone', h.clock.now(), {
        stop: { reason: 'gone', code: 'FolderDeleted', at: 0, closedAtVersion: 0 },
      }),
    );
    dlq.put('not json', { reason: 'body is not JSON', sourceMessageId: 's' });
    dlq.put(hierarchyJob('removed@example.com'));
    dlq.put(folderJob('gone'));
    dlq.put(folderJob('never-seen'));
    dlq.put(hierarchyJob('parked@example.com'));

    const kept = await redrive();
    expect(kept.entries.map((e) => [e.action, e.letter])).toEqual([
      ['invalid', 'kept'],
      ['orphan', 'kept'],
      ['orphan', 'kept'],
      ['orphan', 'kept'],
      ['parked', 'kept'],
    ]);
    expect(dlq.peek().map((m) => m.visible)).toEqual([true, true, true, true, true]);

    const invalidDropped = await redrive({ dropInvalid: true });
    expect(invalidDropped.entries.filter((e) => e.letter === 'deleted').map((e) => e.action)).toEqual([
      'invalid',
    ]);
    const orphansDropped = await redrive({ dropOrphans: true });
    expect(orphansDropped.entries.map((e) => [e.action, e.letter])).toEqual([
      ['orphan', 'deleted'],
      ['orphan', 'deleted'],
      ['orphan', 'deleted'],
      ['parked', 'kept'],
    ]);
    expect(dlq.peek()).toHaveLength(1);
    expect(h.queue.sent).toEqual([]);
  });

  it('plans the hierarchy from a cursor it makes when there is none; a fan-out continuation is superseded', async () => {
    const { h, dlq, redrive } = await world();
    dlq.put(hierarchyJob());
    dlq.put(FAN_OUT_JOB);
    const { entries } = await redrive();
    expect(entries.map((e) => [e.kind, e.action, e.letter])).toEqual([
      ['hierarchy', 'started', 'deleted'],
      ['fanout', 'superseded', 'deleted'],
    ]);
    expect(h.cursors.peek(A, HIERARCHY_CURSOR_ID)).toMatchObject({ kind: 'hierarchy', status: 'idle' });
    expect(h.queue.jobs()).toEqual([
      expect.objectContaining({ type: 'hierarchy', mailboxId: A, expectVersion: 0 }),
    ]);
  });

  it('a dry run says what it would do, starts nothing, deletes nothing and creates no cursor', async () => {
    const { h, dlq, redrive } = await world();
    await h.cursors.create(newFolderCursor(A, 'inbox', h.clock.now()));
    dlq.put(folderJob('inbox'));
    dlq.put(hierarchyJob());
    dlq.put('junk');
    const seen: string[] = [];
    const result = await redrive({ dryRun: true, dropInvalid: true, onEntry: (e) => seen.push(e.action) });
    expect(result.dryRun).toBe(true);
    expect(result.entries.map((e) => [e.action, e.letter])).toEqual([
      ['started', 'deleted'],
      ['started', 'deleted'],
      ['invalid', 'deleted'],
    ]);
    expect(seen).toEqual(['started', 'started', 'invalid']);
    expect(h.queue.sent).toEqual([]);
    expect(dlq.peek().map((m) => m.visible)).toEqual([true, true, true]);
    expect(h.cursors.peek(A, HIERARCHY_CURSOR_ID)).toBeUndefined();
  });

  it('gives back what it holds when a step fails, and deletes a dead letter only after its chain is enqueued', async () => {
    const { h, dlq, redrive } = await world();
    await h.cursors.create(newFolderCursor(A, 'inbox', h.clock.now()));
    await h.cursors.create(newFolderCursor(A, 'sent', h.clock.now()));
    dlq.put(folderJob('inbox'));
    dlq.put(folderJob('sent'));
    h.queue.failures = 1;
    await expect(redrive()).rejects.toThrow('queue send failed');
    expect(dlq.peek().map((m) => m.visible)).toEqual([true, true]);

    const { entries } = await redrive();
    expect(entries.map((e) => e.action)).toEqual(['started', 'started']);
    expect(dlq.peek()).toEqual([]);
  });
});
