import {
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchCommandInput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { SqsWorkQueue, WorkQueueSendError } from '../../lib/adapters/sqs/sqs-work-queue.js';
import type { SyncJob } from '../../lib/core/ports.js';
import { LambdaSqsPoller } from '../../local/lambda-sqs-poller.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/local-aws-clients.js';
import { useSqsEmulator } from '../support/local-aws.js';

const sqs = useSqsEmulator();

function folderJob(n: number, mailboxId = 'a@example.com'): SyncJob {
  return {
    v: 1,
    type: 'folder',
    mailboxId,
    folderId: `f${n}`,
    jobId: `job-${n}`,
    expectVersion: n,
    hop: n % 3,
  };
}

async function receiveAll(queueUrl: string, expected: number, waitTimeSeconds = 1) {
  const messages = [];
  while (messages.length < expected) {
    const { Messages = [] } = await sqs.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitTimeSeconds,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) break;
    messages.push(...Messages);
  }
  return messages;
}

describe('SqsWorkQueue', () => {
  it('sends many jobs in batches of ten with their hop count and mailbox group', async () => {
    const { queueUrl } = await sqs.queues();
    const jobs = Array.from({ length: 25 }, (_, n) => folderJob(n));
    await new SqsWorkQueue(sqs.clients.sqs, queueUrl, { concurrency: 2 }).send(jobs.map((job) => ({ job })));

    const messages = await receiveAll(queueUrl, 25);
    const bodies = messages.map((m) => JSON.parse(m.Body!) as SyncJob);
    expect(bodies.map((b) => b.jobId).sort()).toEqual(jobs.map((j) => j.jobId).sort());
    for (const m of messages) {
      const job = JSON.parse(m.Body!) as SyncJob;
      expect(m.MessageAttributes?.hop).toMatchObject({ DataType: 'Number', StringValue: String(job.hop) });
    }
  });

  // TOOLCHAIN.md warns that fauxqs returns one message per MessageGroupId per receive: true for
  // its FIFO queues only. On a standard queue 1.9.2 ignores the group, so messageGroups stays on.
  it('MessageGroupId on a standard queue does not limit a receive to one message per group', async () => {
    const { queueUrl } = await sqs.queues();
    await new SqsWorkQueue(sqs.clients.sqs, queueUrl).send(
      Array.from({ length: 10 }, (_, n) => ({ job: folderJob(n, 'one@example.com') })),
    );
    const { Messages = [] } = await sqs.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(Messages).toHaveLength(10);
  });

  it('delays a message by its own DelaySeconds only', async () => {
    const { queueUrl } = await sqs.queues();
    await new SqsWorkQueue(sqs.clients.sqs, queueUrl).send([
      { job: folderJob(1), delaySeconds: 1 },
      { job: folderJob(2) },
    ]);
    const now = await receiveAll(queueUrl, 2, 0);
    expect(now.map((m) => (JSON.parse(m.Body!) as SyncJob).jobId)).toEqual(['job-2']);
    const later = await receiveAll(queueUrl, 1, 3);
    expect(later.map((m) => (JSON.parse(m.Body!) as SyncJob).jobId)).toEqual(['job-1']);
    expect(Number(later[0]!.Attributes!.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(
      Number(later[0]!.Attributes!.SentTimestamp) + 1000,
    );
  });

  it('retries entries that failed for transient reasons', async () => {
    const { queueUrl } = await sqs.queues();
    // A client that withholds entry "3" from the first SendMessageBatch and reports it failed,
    // as SQS does under internal errors; the entry must be resent, the others not duplicated.
    const client = new SQSClient({
      endpoint: sqs.emulator.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    let calls = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'SendMessageBatchCommand' || calls++ > 0) return next(args);
        const input = args.input as SendMessageBatchCommandInput;
        const result = await next({
          ...args,
          input: { ...input, Entries: input.Entries?.filter((e) => e.Id !== '3') },
        });
        const output = result.output as { Failed?: unknown[] };
        output.Failed = [{ Id: '3', Code: 'InternalError', SenderFault: false, Message: 'try again' }];
        return result;
      },
      { step: 'initialize' },
    );
    await new SqsWorkQueue(client, queueUrl, { retryBaseMs: 1 }).send(
      Array.from({ length: 5 }, (_, n) => ({ job: folderJob(n) })),
    );
    client.destroy();
    expect(calls).toBe(2);
    const messages = await receiveAll(queueUrl, 5);
    expect(messages.map((m) => (JSON.parse(m.Body!) as SyncJob).jobId).sort()).toEqual([
      'job-0',
      'job-1',
      'job-2',
      'job-3',
      'job-4',
    ]);
  });

  it('delivers the good jobs and names the invalid ones', async () => {
    const { queueUrl } = await sqs.queues();
    // U+FFFF is not allowed in SQS message bodies (and JSON.stringify leaves it as is).
    const bad = folderJob(7, 'bad\uffff@example.com');
    const error = await new SqsWorkQueue(sqs.clients.sqs, queueUrl)
      .send([{ job: folderJob(1) }, { job: bad }, { job: folderJob(2) }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkQueueSendError);
    expect((error as WorkQueueSendError).failed).toMatchObject([
      { jobId: 'job-7', code: 'InvalidMessageContents' },
    ]);
    const messages = await receiveAll(queueUrl, 2);
    expect(messages).toHaveLength(2);
  });
});

describe('LambdaSqsPoller', () => {
  async function sendBodies(queueUrl: string, bodies: string[]) {
    for (let i = 0; i < bodies.length; i += 10) {
      await sqs.clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: bodies.slice(i, i + 10).map((body, n) => ({ Id: String(n), MessageBody: body })),
        }),
      );
    }
  }

  // A zero visibility timeout would redeliver messages while their first invocation still runs.
  it('deletes successes, redelivers reported failures, and passes Lambda-shaped records', async () => {
    const { queueUrl, queueArn } = await sqs.queues({ visibilityTimeoutSeconds: 1 });
    const seen: { body: string; receiveCount: string }[] = [];
    const records: SQSRecord[] = [];
    const remaining: number[] = [];
    const handler = async (event: SQSEvent, context: { getRemainingTimeInMillis(): number }) => {
      remaining.push(context.getRemainingTimeInMillis());
      const failures: SQSBatchResponse['batchItemFailures'] = [];
      for (const record of event.Records) {
        records.push(record);
        seen.push({ body: record.body, receiveCount: record.attributes.ApproximateReceiveCount });
        if (record.body === 'b' && record.attributes.ApproximateReceiveCount === '1') {
          failures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures: failures };
    };
    const poller = new LambdaSqsPoller({
      client: sqs.clients.sqs,
      queueUrl,
      handler,
      batchSize: 3,
      timeoutMs: 5000,
    });
    await sendBodies(queueUrl, ['a', 'b', 'c', 'd', 'e', 'f']);
    await poller.start();
    await poller.waitUntilQuiet();
    await poller.stop();

    expect(seen.filter((s) => s.body === 'b').map((s) => s.receiveCount)).toEqual(['1', '2']);
    expect(seen.filter((s) => s.body !== 'b').every((s) => s.receiveCount === '1')).toBe(true);
    expect(seen).toHaveLength(7);
    expect(poller.stats()).toMatchObject({ records: 7, failures: 1, deleted: 6, errors: 0, inFlight: 0 });
    expect(records[0]).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: LOCAL_REGION,
    });
    expect(records[0]!.receiptHandle).toBeTruthy();
    expect(records[0]!.attributes.SentTimestamp).toMatch(/^\d+$/);
    expect(remaining.every((ms) => ms > 0 && ms <= 5000)).toBe(true);
  });

  it('redelivers the whole batch when the handler throws or times out', async () => {
    const { queueUrl } = await sqs.queues({ visibilityTimeoutSeconds: 1 });
    const attempts = new Map<string, number>();
    const handler = async (event: SQSEvent) => {
      const first = event.Records.some((r) => r.attributes.ApproximateReceiveCount === '1');
      for (const r of event.Records) attempts.set(r.body, (attempts.get(r.body) ?? 0) + 1);
      if (first && event.Records.some((r) => r.body === 'throw')) throw new Error('handler failed');
      if (first && event.Records.some((r) => r.body === 'slow')) await new Promise((r) => setTimeout(r, 300));
      return { batchItemFailures: [] };
    };
    const poller = new LambdaSqsPoller({
      client: sqs.clients.sqs,
      queueUrl,
      handler,
      batchSize: 1,
      timeoutMs: 100,
    });
    await sendBodies(queueUrl, ['throw', 'slow']);
    await poller.start();
    await poller.waitUntilQuiet();
    await poller.stop();
    expect(Object.fromEntries(attempts)).toEqual({ throw: 2, slow: 2 });
    expect(poller.stats()).toMatchObject({ errors: 1, timeouts: 1, failures: 2, deleted: 2 });
  });

  it('never runs more invocations at once than maxConcurrency', async () => {
    const { queueUrl } = await sqs.queues();
    let running = 0;
    let peak = 0;
    const handler = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return { batchItemFailures: [] };
    };
    const poller = new LambdaSqsPoller({
      client: sqs.clients.sqs,
      queueUrl,
      handler,
      batchSize: 1,
      maxConcurrency: 2,
    });
    await sendBodies(
      queueUrl,
      Array.from({ length: 12 }, (_, n) => `m${n}`),
    );
    await poller.start();
    await poller.waitUntilQuiet();
    await poller.stop();
    expect(poller.stats().invocations).toBe(12);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(2);
  });

  it('moves a message that keeps failing to the DLQ after maxReceiveCount receives', async () => {
    const { queueUrl, deadLetterQueueUrl } = await sqs.queues({
      visibilityTimeoutSeconds: 0,
      maxReceiveCount: 3,
    });
    const counts: string[] = [];
    const handler = async (event: SQSEvent) => {
      counts.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount));
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    };
    const poller = new LambdaSqsPoller({
      client: sqs.clients.sqs,
      queueUrl,
      handler,
      batchSize: 1,
      maxConcurrency: 1,
    });
    await sendBodies(queueUrl, ['poison']);
    await poller.start();
    const dead = await receiveAll(deadLetterQueueUrl, 1, 5);
    await poller.stop();
    expect(dead.map((m) => m.Body)).toEqual(['poison']);
    expect(counts).toEqual(['1', '2', '3']);
  });
});
