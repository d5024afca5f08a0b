// At-least-once delivery made frequent: some batches run twice at once (the same records in two
// concurrent invocations) and some jobs are sent twice. Only one writer advances a cursor; the
// mirror ends equal to the server and nothing goes back.
import { describe, expect, it } from 'vitest';
import { useLocalAws } from '../support/local-aws.js';
import { PIPELINE_TEST_TIMEOUT_MS, startPipeline } from '../support/pipeline.js';
import { CursorVersionLog, Duplicator, MirrorWatcher } from '../support/pipeline-faults.js';
import { CRASH_TIMING, expectInvariants } from './crash-scenario.js';

const aws = useLocalAws();
const WORKER_TIMEOUT_MS = 15_000;

describe('duplicate deliveries', { timeout: PIPELINE_TEST_TIMEOUT_MS }, () => {
  it(
    'the same message delivered twice at once, and jobs sent twice',
    async () => {
      const duplicator = new Duplicator({ invocation: 3, send: 4 });
      const versions = new CursorVersionLog();
      const watcher = new MirrorWatcher(aws.clients.dynamodb);
      const p = await startPipeline(aws, {
        seed: 21,
        mailboxes: 2,
        foldersPerMailbox: 2,
        itemsPerMailbox: 80,
        pageSize: 15,
        batchSize: 3,
        workerTimeoutMs: WORKER_TIMEOUT_MS,
        ...CRASH_TIMING,
        wrapDeps: (deps, { itemTable }) =>
          duplicator.wrapDeps(watcher.wrapDeps(versions.wrapDeps(deps), itemTable)),
        wrapWorker: (handler) => duplicator.wrapWorker(handler, WORKER_TIMEOUT_MS),
      });
      try {
        await p.round();
        p.simulator.sim.mutate({ count: 60, seed: 22 });
        await p.round();
        expect(duplicator.duplicatedInvocations).toBeGreaterThan(3);
        expect(duplicator.duplicatedSends).toBeGreaterThan(3);
        // The twins met: some copy found the other's live lease or a chain that had moved on.
        const dropped = p.outcomes.filter(
          (o) =>
            o.type !== 'fanout' && ['duplicate', 'dropped-stale', 'resent-follow-up'].includes(o.outcome),
        );
        expect(dropped.length).toBeGreaterThan(0);
        await expectInvariants(p, versions, watcher);
      } finally {
        await p.stop();
      }
    },
    PIPELINE_TEST_TIMEOUT_MS,
  );
});
