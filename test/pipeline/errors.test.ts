// Error reactions end to end: an invalid SyncState forces a resync whose sweep removes what was
// deleted in the gap; a permanent mailbox error parks only that mailbox; an invalid queue message
// goes to the DLQ at once with its reason, and the rest of its batch is processed.
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { HIERARCHY_CURSOR_ID, type Mailbox, type PageOutcome } from '../../lib/core/index.js';
import { useLocalAws } from '../support/local-aws.js';
import {
  describeDifferences,
  PIPELINE_TEST_TIMEOUT_MS,
  type Pipeline,
  sqsRecord,
  startPipeline,
  waitUntil,
} from '../support/pipeline.js';

const aws = useLocalAws();
let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});

const pageOutcomes = (p: Pipeline) => p.outcomes.filter((o): o is PageOutcome => o.type !== 'fanout');

async function expectVerified(p: Pipeline, mailboxes = p.mailboxes): Promise<void> {
  const summary = await p.verify(mailboxes);
  expect(summary.verified, describeDifferences(summary)).toBe(true);
}

/** The template's EWS endpoint (the local pipeline registers EWS mailboxes). */
function ewsEndpointOf(template: Mailbox): string {
  if (template.source.kind !== 'ews') throw new Error('expected an EWS mailbox');
  return template.source.endpoint;
}

describe('error reactions', { timeout: PIPELINE_TEST_TIMEOUT_MS }, () => {
  it('invalid sync state mid-run: resync plus sweep removes the items deleted in the gap', async () => {
    pipeline = await startPipeline(aws, {
      seed: 51,
      mailboxes: 2,
      foldersPerMailbox: 2,
      itemsPerMailbox: 80,
      pageSize: 10,
    });
    const p = pipeline;
    const deletesOnly = { createItem: 0, updateItem: 0, markRead: 0, markUnread: 0, moveItem: 0 };
    const folderKinds = { createFolder: 0, renameFolder: 0, moveFolder: 0, deleteFolder: 0 };

    // Mid-chain: some pages are mirrored, then items vanish and every SyncState becomes invalid.
    await p.tick();
    await waitUntil(
      'a few folder pages',
      () => pageOutcomes(p).filter((o) => o.outcome === 'advanced').length >= 4,
    );
    const early = p.simulator.sim.mutate({
      count: 25,
      seed: 52,
      weights: { ...deletesOnly, ...folderKinds },
    });
    p.simulator.sim.invalidateSyncStates();
    await p.settle();
    // Chains still running hit the invalid state at once and resynced within this tick.
    expect(pageOutcomes(p).some((o) => o.outcome === 'resync')).toBe(true);
    expect(early.every((m) => m.kind === 'deleteItem')).toBe(true);
    // Folders that had completed before the deletes learn of them at the next tick.
    await p.round();
    await expectVerified(p);

    // Between rounds: deletes (and other changes) in the gap, then invalidation.
    const resyncsBefore = pageOutcomes(p).filter((o) => o.outcome === 'resync').length;
    const sweptBefore = pageOutcomes(p).reduce((n, o) => n + (o.swept ?? 0), 0);
    const deleted = p.simulator.sim.mutate({
      count: 30,
      seed: 53,
      weights: { ...deletesOnly, ...folderKinds },
    });
    p.simulator.sim.mutate({ count: 20, seed: 54, weights: { ...folderKinds, deleteItem: 0 } });
    p.simulator.sim.invalidateSyncStates();
    await p.round();
    await expectVerified(p);
    const round2 = pageOutcomes(p);
    expect(round2.filter((o) => o.outcome === 'resync').length - resyncsBefore).toBeGreaterThan(0);
    // The server sends no Delete for them after a resync: only the sweep can remove them.
    const swept = round2.reduce((n, o) => n + (o.swept ?? 0), 0) - sweptBefore;
    expect(swept).toBeGreaterThanOrEqual(deleted.length);
    for (const mailbox of p.mailboxes) {
      for (const cursor of await p.cursors(mailbox.mailboxId)) {
        if (cursor.folderId === HIERARCHY_CURSOR_ID || cursor.status !== 'idle') continue;
        expect(cursor.resyncPending, cursor.folderId).toBeFalsy();
      }
    }
    for (const m of deleted) {
      const live = await p.container.deps.mirror.listLive(m.mailbox.toLowerCase(), m.folderId);
      expect(
        live.some((item) => item.itemId === m.itemId),
        `${m.itemId} deleted in the gap`,
      ).toBe(false);
    }
  });

  it('a permanent mailbox error parks that mailbox with a reason; the others complete', async () => {
    pipeline = await startPipeline(aws, {
      seed: 61,
      mailboxes: 3,
      foldersPerMailbox: 1,
      itemsPerMailbox: 80,
      simulatorConfig: { impersonationDenied: ['user2@contoso.test'] },
      extraMailboxes: (template) => [
        {
          ...template,
          mailboxId: 'nobody@contoso.test',
          source: { kind: 'ews', endpoint: ewsEndpointOf(template), smtpAddress: 'nobody@contoso.test' },
        },
      ],
    });
    const p = pipeline;
    await p.round();
    const registry = p.container.deps.registry;
    const denied = await registry.get('user2@contoso.test');
    expect(denied?.status).toBe('parked');
    expect(denied?.parkedReason).toMatch(/ErrorImpersonateUserDenied/);
    const ghost = await registry.get('nobody@contoso.test');
    expect(ghost?.status).toBe('parked');
    expect(ghost?.parkedReason).toMatch(/ErrorNonExistentMailbox/);
    const healthy = p.mailboxes.filter((m) => m.mailboxId !== 'user2@contoso.test');
    expect(healthy.length).toBe(2);
    await expectVerified(p, healthy);

    // A parked mailbox is left alone: the next tick sends it nothing.
    const callsBefore = p.simulator.sim.stats.requestLog('user2@contoso.test').length;
    p.simulator.sim.mutate({ count: 20, seed: 62, mailboxes: ['user1@contoso.test'] });
    await p.round();
    expect(p.simulator.sim.stats.requestLog('user2@contoso.test').length).toBe(callsBefore);
    await expectVerified(p, healthy);
  });

  it('an invalid queue message goes to the DLQ at once with the reason; its batch goes on', async () => {
    pipeline = await startPipeline(aws, {
      seed: 71,
      mailboxes: 1,
      foldersPerMailbox: 1,
      itemsPerMailbox: 40,
    });
    const p = pipeline;
    const mailboxId = p.mailboxes[0]!.mailboxId;
    const valid = JSON.stringify({
      v: 1,
      type: 'hierarchy',
      mailboxId,
      jobId: 'job-1',
      expectVersion: 0,
      hop: 0,
    });
    const response = await p.invokeWorker([
      sqsRecord('{not json', 'bad-json', p.resources.queueArn),
      sqsRecord(valid, 'good', p.resources.queueArn),
      sqsRecord(
        JSON.stringify({ v: 1, type: 'folder', mailboxId, jobId: 'x', hop: 0 }),
        'bad-shape',
        p.resources.queueArn,
      ),
    ]);
    // Nothing for SQS to redeliver: the invalid ones are dead-lettered, the valid one ran.
    expect(response?.batchItemFailures ?? []).toEqual([]);
    expect(pageOutcomes(p).find((o) => o.jobId === 'job-1')?.outcome).toBe('completed');
    const letters = await p.deadLetters();
    const bySource = new Map(letters.map((l) => [l.attributes.sourceMessageId, l]));
    expect([...bySource.keys()].sort()).toEqual(['bad-json', 'bad-shape']);
    expect(bySource.get('bad-json')?.body).toBe('{not json');
    expect(bySource.get('bad-json')?.attributes.reason).toMatch(/not JSON/);
    expect(bySource.get('bad-shape')?.attributes.reason).toMatch(/folderId|expectVersion/);

    // The chain the valid job started completes.
    await p.settle();
    await expectVerified(p);

    // Through the queue: dead-lettered on its first receive, not after maxReceiveCount.
    await aws.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: p.resources.queueUrl, MessageBody: '{"v":2}' }),
    );
    await p.settle();
    const [letter, ...more] = await p.deadLetters();
    expect(more).toEqual([]);
    expect(letter?.body).toBe('{"v":2}');
    expect(letter?.attributes.reason).toBeTruthy();
    expect(p.poller.stats().failures).toBe(0);
  });
});
