// Server limits: the per-mailbox cap on sync calls in flight holds across all workers, and a
// throttle answer pauses the whole mailbox for the time the server asked (ResponseMessage and
// HTTP 500 fault forms); the sync still converges.
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../../simulator/index.js';
import { useLocalAws } from '../support/local-aws.js';
import {
  describeDifferences,
  PIPELINE_TEST_TIMEOUT_MS,
  type Pipeline,
  startPipeline,
} from '../support/pipeline.js';
import { BackOffLog } from '../support/pipeline-faults.js';

const aws = useLocalAws();
let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});

const SYNC_OPERATIONS = new Set(['SyncFolderItems', 'SyncFolderHierarchy']);
const BACK_OFF_MS = 1_500;
/** Clock granularity between the simulator's log and the workers' clocks (same process). */
const TOLERANCE_MS = 25;

/**
 * Checks the mailbox's request log against the pauses the workers recorded: every throttle answer
 * (at `t`, asking for BACK_OFF_MS) is followed by a recorded pause lasting until `t + BACK_OFF_MS`
 * at least, and no sync request reaches the server during a pause that its worker knew of. A
 * call issued before the pause was visible (the worker's last mailbox read began before the pause
 * was written) is a race no worker can avoid, and is not counted.
 */
function backOffViolations(log: RequestLogEntry[], backOffs: BackOffLog, mailboxId: string): string[] {
  const violations: string[] = [];
  const pauses = backOffs.pauses.filter((b) => b.mailboxId === mailboxId);
  const syncs = log.filter((e) => SYNC_OPERATIONS.has(e.operation));
  for (const throttle of syncs.filter((e) => e.outcome === 'ErrorServerBusy')) {
    const covered = pauses.some(
      (p) => p.from >= throttle.at - TOLERANCE_MS && p.until >= throttle.at + BACK_OFF_MS - TOLERANCE_MS,
    );
    if (!covered) violations.push(`throttle at ${throttle.at}: no pause of ${BACK_OFF_MS} ms recorded`);
  }
  for (const pause of pauses) {
    const knownFrom = pause.writtenAt + backOffs.slowestMailboxReadMs + TOLERANCE_MS;
    for (const request of syncs) {
      const issued =
        (request.clientRequestId && backOffs.issuedAt.get(request.clientRequestId)) || request.at;
      if (issued > knownFrom && request.at < pause.until - TOLERANCE_MS) {
        violations.push(
          `${request.operation} issued ${issued - pause.writtenAt} ms after a pause was written, arrived ${pause.until - request.at} ms before it ended`,
        );
      }
    }
  }
  return violations;
}

async function expectConverged(p: Pipeline): Promise<void> {
  const summary = await p.verify();
  expect(summary.verified, describeDifferences(summary)).toBe(true);
  expect(await p.deadLetters()).toEqual([]);
}

describe('server limits', { timeout: PIPELINE_TEST_TIMEOUT_MS }, () => {
  it('never has more sync calls in flight per mailbox than its cap', async () => {
    pipeline = await startPipeline(aws, {
      seed: 31,
      mailboxes: 2,
      foldersPerMailbox: 4,
      itemsPerMailbox: 100,
      pageSize: 10,
      maxConcurrentSyncs: 2,
      workerConcurrency: 8,
      // Calls last long enough to overlap; the server would allow 5.
      simulatorConfig: { latency: { fixedMs: 40, jitterMs: 10 } },
    });
    await pipeline.round();
    const stats = pipeline.simulator.sim.stats.snapshot();
    const highWater = Object.values(stats.maxConcurrentSyncCalls);
    expect(highWater.length).toBe(2);
    expect(Math.max(...highWater)).toBeLessThanOrEqual(2);
    // The cap was reached, so the test exercised it.
    expect(Math.max(...highWater)).toBe(2);
    await expectConverged(pipeline);
  });

  it.each([
    { form: 'ResponseMessage', throttleFaultRatio: 0 },
    { form: 'HTTP 500 SOAP fault', throttleFaultRatio: 1 },
  ])('honours ErrorServerBusy back-off as a $form', async ({ throttleFaultRatio }) => {
    const maxConcurrentSyncs = 4;
    const backOffs = new BackOffLog();
    pipeline = await startPipeline(aws, {
      seed: 41,
      mailboxes: 2,
      foldersPerMailbox: 1,
      itemsPerMailbox: 60,
      pageSize: 20,
      maxConcurrentSyncs,
      workerConcurrency: 8,
      // The server allows fewer concurrent sync calls than the mailbox's cap: it throttles.
      simulatorConfig: {
        concurrentSyncCalls: 2,
        backOffMs: BACK_OFF_MS,
        throttleFaultRatio,
        latency: { fixedMs: 60, jitterMs: 20 },
      },
      coreConfig: { throttleJitterMs: 300 },
      wrapDeps: (deps) => backOffs.wrapDeps(deps),
    });
    const p = pipeline;
    await p.round();
    const stats = p.simulator.sim.stats.snapshot();
    const throttled = throttleFaultRatio === 1 ? stats.throttled.fault : stats.throttled.responseMessage;
    expect(throttled, 'the server throttled').toBeGreaterThan(0);
    expect(backOffs.pauses.length).toBeGreaterThan(0);
    expect(p.outcomes.some((o) => o.type !== 'fanout' && o.outcome === 'throttled')).toBe(true);
    expect(Math.max(...Object.values(stats.maxConcurrentSyncCalls))).toBeLessThanOrEqual(maxConcurrentSyncs);
    for (const mailbox of p.mailboxes) {
      const log = p.simulator.sim.stats.requestLog(mailbox.mailboxId);
      expect(backOffViolations(log, backOffs, mailbox.mailboxId), mailbox.mailboxId).toEqual([]);
    }
    await expectConverged(p);
  });
});
