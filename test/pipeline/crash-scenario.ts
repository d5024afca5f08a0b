// The crash scenario shared by the kill tests: a full sync and an incremental one while workers
// die at one step of a page; then the invariants of DESIGN.md section 2.
import { expect } from 'vitest';
import type { LocalAwsFixture } from '../support/local-aws.js';
import { describeDifferences, type Pipeline, startPipeline } from '../support/pipeline.js';
import { CursorVersionLog, type KillPoint, MirrorWatcher, WorkerKiller } from '../support/pipeline-faults.js';

/** Short lease and visibility timeout: a killed page is taken over within seconds. */
export const CRASH_TIMING = { leaseMs: 2_500, visibilityTimeoutSeconds: 2, maxReceiveCount: 50 };

/** After quiet: nothing lost, nothing went back, no cursor moved backwards. */
export async function expectInvariants(
  p: Pipeline,
  versions: CursorVersionLog,
  watcher: MirrorWatcher,
): Promise<void> {
  const summary = await p.verify();
  expect(summary.verified, describeDifferences(summary)).toBe(true);
  expect(versions.regressions).toEqual([]);
  // Every write was read back; those not overwritten meanwhile stored exactly what was written.
  expect(versions.mismatches).toEqual([]);
  expect(versions.compared, 'cursor writes read back and compared').toBeGreaterThan(0);
  // The stored version of every cursor is the highest ever written: no write lowered it later.
  for (const mailbox of p.mailboxes) {
    for (const cursor of await p.cursors(mailbox.mailboxId)) {
      const key = `${cursor.mailboxId}/${cursor.folderId}`;
      expect(cursor.version, key).toBe(versions.highest.get(key));
      expect(cursor.lease, key).toBeUndefined();
    }
  }
  await watcher.finish();
  expect(watcher.regressions).toEqual([]);
  expect(watcher.unobserved, 'rows written without the watcher seeing it').toEqual([]);
  expect(watcher.writes, 'mirror writes observed').toBeGreaterThan(2);
  expect(watcher.advances, 'the watcher saw items move to newer ChangeKeys').toBeGreaterThan(0);
  expect(await p.deadLetters()).toEqual([]);
}

/** The way back from each kind of death was taken (the test did not pass by luck of timing). */
async function expectRecovery(p: Pipeline, point: KillPoint, pages?: 'folder' | 'hierarchy'): Promise<void> {
  const outcomes = new Set(p.outcomes.map((o) => o.outcome));
  if (point === 'after-advance') {
    // A folder chain killed after a mid-chain advance re-sends its follow-up; a hierarchy chain
    // killed after its completing advance re-runs what follows (starting the folder chains).
    const expected = pages === 'hierarchy' ? 'redone-completion' : 'resent-follow-up';
    expect(outcomes).toContain(expected);
  }
  if (point === 'after-follow-up') {
    expect(outcomes.has('resent-follow-up') || outcomes.has('dropped-stale')).toBe(true);
  }
  if (point === 'after-apply') {
    // Items written without an advance: the takeover restarts the folder with a new generation.
    const cursors = (await Promise.all(p.mailboxes.map((m) => p.cursors(m.mailboxId)))).flat();
    expect(cursors.some((c) => c.kind === 'folder' && c.generation > 0)).toBe(true);
  }
}

export async function runCrashScenario(
  aws: LocalAwsFixture,
  point: KillPoint,
  pages?: 'folder' | 'hierarchy',
): Promise<void> {
  const killer = new WorkerKiller(point, { first: 2, every: 4, max: 3, pages });
  const versions = new CursorVersionLog();
  const watcher = new MirrorWatcher(aws.clients.dynamodb);
  const p = await startPipeline(aws, {
    seed: 11,
    mailboxes: 2,
    foldersPerMailbox: 2,
    itemsPerMailbox: 80,
    pageSize: 15,
    batchSize: 3,
    ...CRASH_TIMING,
    // The recorders sit next to the real ports, so they see writes a killed worker made.
    wrapDeps: (deps, { itemTable }) => killer.wrapDeps(watcher.wrapDeps(versions.wrapDeps(deps), itemTable)),
    wrapWorker: (handler) => killer.wrapWorker(handler),
  });
  try {
    await p.round();
    const afterFull = await p.verify();
    expect(afterFull.verified, describeDifferences(afterFull)).toBe(true);
    p.simulator.sim.mutate({ count: 60, seed: 12 });
    await p.round();
    expect(killer.kills.length, `kills ${point}`).toBeGreaterThan(0);
    await expectInvariants(p, versions, watcher);
    await expectRecovery(p, point, pages);
  } finally {
    await p.stop();
  }
}
