// At-least-once delivery made frequent: some batches run twice at once (the same records in two
// concurrent invocations) and some jobs are sent twice. Only one writer advances a cursor; the
// mirror ends equal to the server and nothing goes back.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { changeKey } from '../../simulator/ids.js';
import { useLocalAws } from '../support/local-aws.js';
import { startPipeline, waitUntil } from '../support/pipeline.js';
import { CursorVersionLog, Duplicator, MirrorWatcher } from '../support/pipeline-faults.js';
import { CRASH_TIMING, expectInvariants } from './crash-scenario.js';

const aws = useLocalAws();
const WORKER_TIMEOUT_MS = 15_000;

describe('duplicate deliveries', () => {
  it('the same message delivered twice at once, and jobs sent twice', async () => {
    const duplicator = new Duplicator({ invocation: 3, send: 4 });
    const versions = new CursorVersionLog();
    const p = await startPipeline(aws, {
      seed: 21,
      mailboxes: 2,
      foldersPerMailbox: 2,
      itemsPerMailbox: 80,
      pageSize: 15,
      batchSize: 3,
      workerTimeoutMs: WORKER_TIMEOUT_MS,
      ...CRASH_TIMING,
      wrapDeps: (deps) => duplicator.wrapDeps(versions.wrapDeps(deps)),
      wrapWorker: (handler) => duplicator.wrapWorker(handler, WORKER_TIMEOUT_MS),
    });
    const watcher = new MirrorWatcher(aws.clients.dynamodb, p.resources.itemTable);
    watcher.start();
    try {
      await p.round();
      p.simulator.sim.mutate({ count: 60, seed: 22 });
      await p.round();
      await watcher.stop();
      expect(duplicator.duplicatedInvocations).toBeGreaterThan(3);
      expect(duplicator.duplicatedSends).toBeGreaterThan(3);
      // The twins met: some copy found the other's live lease or a chain that had moved on.
      const dropped = p.outcomes.filter(
        (o) => o.type !== 'fanout' && ['duplicate', 'dropped-stale', 'resent-follow-up'].includes(o.outcome),
      );
      expect(dropped.length).toBeGreaterThan(0);
      await expectInvariants(p, versions, watcher);
    } finally {
      await watcher.stop();
      await p.stop();
    }
  }, 120_000);
});

describe('MirrorWatcher', () => {
  it('reports a row that went back to an older ChangeKey or came back after its tombstone', async () => {
    const { itemTable } = await aws.tables();
    const guid = Buffer.alloc(16, 3);
    const put = (sk: string, cn: number, deleted: boolean) =>
      aws.clients.dynamodb.send(
        new PutItemCommand({
          TableName: itemTable,
          Item: {
            pk: { S: 'm#f' },
            sk: { S: sk },
            changeKey: { S: changeKey(0x09, guid, 1, cn) },
            deleted: { BOOL: deleted },
          },
        }),
      );
    await Promise.all([put('a', 5, false), put('b', 5, true), put('c', 5, false)]);
    const watcher = new MirrorWatcher(aws.clients.dynamodb, itemTable, 20);
    watcher.start();
    await waitUntil('a first scan', () => watcher.scans > 0, 10_000);
    await Promise.all([put('a', 3, false), put('b', 6, false), put('c', 7, false)]);
    await watcher.stop();
    expect(watcher.regressions.map((r) => `${r.item} ${r.kind}`).sort()).toEqual([
      'm#f/a older-change-key',
      'm#f/b resurrected',
    ]);
    expect(watcher.advances).toBe(1);
  });
});
