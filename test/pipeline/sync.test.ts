// Initial and incremental sync of several mailboxes through the real handlers, with every kind of
// item change and folder change, in multi-page chains.
import { afterEach, describe, expect, it } from 'vitest';
import { HIERARCHY_CURSOR_ID, type PageOutcome } from '../../lib/core/index.js';
import type { AppliedMutation, MutationKind } from '../../simulator/index.js';
import { useLocalAws } from '../support/local-aws.js';
import {
  describeDifferences,
  PIPELINE_TEST_TIMEOUT_MS,
  type Pipeline,
  startPipeline,
} from '../support/pipeline.js';

const aws = useLocalAws();
let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});

const ALL_KINDS: MutationKind[] = [
  'createFolder',
  'createItem',
  'updateItem',
  'markRead',
  'markUnread',
  'moveItem',
  'deleteItem',
  'renameFolder',
  'moveFolder',
  'deleteFolder',
];

/** Applies `count` mutations of each kind, one kind at a time, so every kind is certain to occur. */
function mutateEveryKind(p: Pipeline, count: number, seed: number): AppliedMutation[] {
  const off = Object.fromEntries(ALL_KINDS.map((k) => [k, 0]));
  return ALL_KINDS.flatMap((kind, n) =>
    p.simulator.sim.mutate({ count, seed: seed + n, weights: { ...off, [kind]: 1 } }),
  );
}

const pages = (p: Pipeline) => p.outcomes.filter((o): o is PageOutcome => o.type !== 'fanout');

describe('sync pipeline', { timeout: PIPELINE_TEST_TIMEOUT_MS }, () => {
  it('mirrors several mailboxes fully, then incrementally with every change kind and folder changes', async () => {
    pipeline = await startPipeline(aws, {
      mailboxes: 3,
      foldersPerMailbox: 3,
      itemsPerMailbox: 120,
      pageSize: 10,
    });
    const p = pipeline;

    await p.round();
    const initial = await p.verify();
    expect(initial.verified, describeDifferences(initial)).toBe(true);
    expect(initial.serverItems).toBeGreaterThan(300);
    const firstRound = pages(p);
    // Multi-page chains: some folder needed several follow-ups.
    expect(
      Math.max(...firstRound.filter((o) => o.type === 'folder').map((o) => o.hop)),
    ).toBeGreaterThanOrEqual(3);
    expect(firstRound.filter((o) => o.outcome === 'advanced').length).toBeGreaterThan(10);

    const known = new Set(
      (await Promise.all(p.mailboxes.map((m) => p.cursors(m.mailboxId)))).flat().map((c) => c.folderId),
    );
    const applied = mutateEveryKind(p, 6, 100);
    expect(new Set(applied.map((m) => m.kind))).toEqual(new Set(ALL_KINDS));
    await p.round();
    const incremental = await p.verify();
    expect(incremental.verified, describeDifferences(incremental)).toBe(true);

    const secondRound = pages(p).slice(firstRound.length);
    // Incremental: no folder had to start over.
    expect(secondRound.filter((o) => o.outcome === 'resync')).toEqual([]);
    expect(secondRound.some((o) => o.changes.written > 0)).toBe(true);

    // Folder metadata follows the hierarchy: renames, moves, deletions, new folders.
    const truth = p.simulator.sim.groundTruth();
    for (const mutation of applied.filter((m) => m.kind.endsWith('Folder'))) {
      const mailbox = truth.find((m) => m.smtp === mutation.mailbox)!;
      const cursors = await p.cursors(mutation.mailbox.toLowerCase());
      const byId = new Map(cursors.map((c) => [c.folderId, c]));
      const folderId = mutation.kind === 'createFolder' ? mutation.newId! : mutation.folderId;
      const server = mailbox.folders.find((f) => f.id === folderId);
      const cursor = byId.get(folderId);
      if (!server) {
        // Deleted (by this mutation or a later one): gone, with nothing live in the mirror.
        if (cursor) {
          expect(cursor.stop?.reason, `${mutation.kind} ${folderId}`).toBe('gone');
          expect(await p.container.deps.mirror.listLive(cursor.mailboxId, folderId)).toEqual([]);
        }
        continue;
      }
      expect(cursor, `${mutation.kind}: cursor of ${folderId}`).toBeDefined();
      expect(cursor!.status).toBe('idle');
      expect(cursor!.displayName).toBe(server.displayName);
      expect(cursor!.parentFolderId).toBe(server.parentId);
    }
    // A folder synced in round 1 and deleted since is gone (one created and deleted between two
    // rounds was never seen, so it has no cursor).
    const deleted = applied.filter((m) => m.kind === 'deleteFolder' && known.has(m.folderId));
    expect(deleted.length).toBeGreaterThan(0);
    for (const mutation of deleted) {
      const cursor = (await p.cursors(mutation.mailbox.toLowerCase())).find(
        (c) => c.folderId === mutation.folderId,
      );
      expect(cursor?.stop?.reason, `deleted folder ${mutation.folderId}`).toBe('gone');
    }
    // Every live cursor has caught up with a SyncState.
    for (const mailbox of p.mailboxes) {
      for (const cursor of await p.cursors(mailbox.mailboxId)) {
        if (cursor.stop) continue;
        expect(cursor.status, `${cursor.mailboxId} ${cursor.folderId}`).toBe('idle');
        expect(cursor.syncState, `${cursor.folderId}`).toBeTruthy();
        expect(cursor.lease).toBeUndefined();
        if (cursor.folderId !== HIERARCHY_CURSOR_ID) expect(cursor.kind).toBe('folder');
      }
    }
    expect(await p.deadLetters()).toEqual([]);
  });
});
