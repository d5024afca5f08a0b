// The fault injectors and invariant recorders of the pipeline tests must be able to fail: a kill
// stops the invocation for good, a lowered version and an older ChangeKey are reported.
import { describe, expect, it } from 'vitest';
import type { CoreDeps, Cursor } from '../../lib/core/index.js';
import { createLambdaContext, LOCAL_REGION } from '../../local/index.js';
import { changeKey } from '../../simulator/ids.js';
import { CursorVersionLog, changeNumberOf, KilledError, WorkerKiller } from './pipeline-faults.js';

/** Ports that only record which methods were called. */
function recordingDeps(calls: string[]): CoreDeps {
  const port = (name: string) =>
    new Proxy(
      {},
      {
        get: (_target, method) => async () => {
          calls.push(`${name}.${String(method)}`);
          return undefined;
        },
      },
    );
  return {
    mailSource: port('mailSource'),
    registry: port('registry'),
    cursors: port('cursors'),
    mirror: port('mirror'),
    queue: port('queue'),
  } as unknown as CoreDeps;
}

const cursor = (version: number, pages: number): Cursor => ({
  mailboxId: 'm',
  folderId: 'f',
  kind: 'folder',
  version,
  generation: 0,
  status: 'syncing',
  pages,
  changesApplied: 0,
  updatedAt: 0,
});

const context = () =>
  createLambdaContext({ functionName: 'w', timeoutMs: 1000, memoryMb: 128, region: LOCAL_REGION });

describe('WorkerKiller', () => {
  it('kills before the server call: nothing after it reaches a port, the invocation fails', async () => {
    const calls: string[] = [];
    const killer = new WorkerKiller('before-server-call', { first: 1, every: 1, max: 1 });
    const deps = killer.wrapDeps(recordingDeps(calls));
    const page = async () => {
      await deps.registry.get('m');
      await deps.mailSource.syncItems({ requestId: 'r' } as never).catch(() => {});
      await deps.cursors.replace(cursor(1, 0), cursor(1, 1));
      return undefined;
    };
    const worker = killer.wrapWorker(page);
    await expect(worker({ Records: [] }, context())).rejects.toBeInstanceOf(KilledError);
    // Even though the page swallowed the error, the dead invocation could not write.
    expect(calls).toEqual(['registry.get']);
    // max 1: the next invocation lives.
    await worker({ Records: [] }, context());
    expect(calls).toEqual(['registry.get', 'registry.get', 'mailSource.syncItems', 'cursors.replace']);
  });

  it('kills after the advance: the write happened, the follow-up is never sent', async () => {
    const calls: string[] = [];
    const killer = new WorkerKiller('after-advance', { first: 1, every: 1, max: 1 });
    const deps = killer.wrapDeps(recordingDeps(calls));
    const worker = killer.wrapWorker(async () => {
      await deps.cursors.replace(cursor(1, 0), { ...cursor(1, 1), nextJobId: 'next' });
      await deps.queue.send([]);
      return undefined;
    });
    await expect(worker({ Records: [] }, context())).rejects.toThrow(/after-advance/);
    expect(calls).toEqual(['cursors.replace']);
    expect(killer.kills).toHaveLength(1);
  });
});

describe('CursorVersionLog', () => {
  it('reports a write that lowered the version it replaced', async () => {
    const log = new CursorVersionLog();
    const deps = log.wrapDeps(recordingDeps([]));
    await deps.cursors.replace(cursor(5, 0), cursor(6, 0));
    await deps.cursors.replace(cursor(6, 0), cursor(4, 0));
    expect(log.regressions).toEqual([{ cursor: 'm/f', from: 6, to: 4 }]);
    expect(log.highest.get('m/f')).toBe(6);
  });
});

describe('changeNumberOf', () => {
  it("reads the change number out of the simulator's ChangeKeys", () => {
    const guid = Buffer.alloc(16, 7);
    expect(changeNumberOf(changeKey(0x09, guid, 3, 41))).toBe(41);
    expect(changeNumberOf(changeKey(0x09, guid, 3, 42))).toBeGreaterThan(
      changeNumberOf(changeKey(0x09, guid, 3, 41)),
    );
    expect(changeNumberOf('short')).toBe(-1);
  });
});
