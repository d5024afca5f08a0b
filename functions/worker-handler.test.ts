// The worker's invalid-job path: a fan-out continuation whose registry page token is malformed,
// or of the right shape but refused by the registry, goes to the DLQ at once with the reason
// (retrying cannot fix it); any other failure of the job still fails its record for a retry.
// A record that runs several pages of its chain reports each of them. And a batch answers at the
// worker's own deadline, failing only its unfinished records (middy's early timeout failed all).
import type { SendMessageCommand, SendMessageCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { InvalidPageTokenError } from '../lib/adapters/dynamodb/dynamo-mailbox-registry.js';
import { SqsDeadLetterQueue } from '../lib/adapters/sqs/dead-letter-queue.js';
import type { Container } from '../lib/app/container.js';
import { decodePageToken } from '../lib/core/jobs/job-fields.js';
import type { JobOutcome } from '../lib/core/jobs/job-kind.js';
import type { PageOutcome } from '../lib/core/outcome.js';
import type { MailboxPage } from '../lib/core/ports.js';
import { Harness } from '../lib/core/testing/harness.js';
import { InMemoryMailboxRegistry } from '../lib/core/testing/in-memory-registry.js';
import { oneFolder } from '../lib/core/testing/one-folder.js';
import { createLambdaContext } from '../local/lambda-context.js';
import { createWorkerHandler } from './worker-handler.js';

/** What DynamoMailboxRegistry does with a page key it cannot continue from, or when it is down. */
class RefusingRegistry extends InMemoryMailboxRegistry {
  override async list(options: { limit?: number; next?: string } = {}): Promise<MailboxPage> {
    if (options.next === undefined) return super.list(options);
    if (decodePageToken(options.next)?.pk === 'unavailable') throw new Error('DynamoDB is unavailable');
    throw new InvalidPageTokenError(options.next);
  }
}

const token = (pk: string) => Buffer.from(JSON.stringify({ pk, sk: '#mailbox' })).toString('base64url');

const fanout = (next: string) =>
  JSON.stringify({ v: 1, type: 'fanout', jobId: 'j', next, tickAt: 1, hop: 1 });

function record(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: '000000000000',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:sync',
    awsRegion: 'eu-west-1',
  };
}

describe('worker: invalid fan-out continuations', () => {
  it('dead-letters a malformed or refused page token with the reason; other failures are retried', async () => {
    const letters: SendMessageCommandInput[] = [];
    const sqs = {
      send: async (command: SendMessageCommand) => {
        letters.push(command.input);
        return {};
      },
    } as unknown as SQSClient;
    const harness = new Harness();
    const container: Container = {
      deps: { ...harness.deps, registry: new RefusingRegistry() },
      deadLetters: new SqsDeadLetterQueue(sqs, 'https://sqs.local/dlq'),
      destroy() {},
    };
    const worker = createWorkerHandler(container);
    const context = createLambdaContext({
      functionName: 'exchange-sync-worker',
      timeoutMs: 30_000,
      memoryMb: 512,
      region: 'eu-west-1',
    });

    const response = (await worker(
      {
        Records: [
          record('malformed', fanout('not-a-token')),
          record('refused', fanout(token('user7@contoso.com'))),
          record('unavailable', fanout(token('unavailable'))),
        ],
      },
      context,
    )) as SQSBatchResponse;

    // Only the registry outage is worth a retry.
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'unavailable' }]);
    const bySource = new Map(letters.map((l) => [l.MessageAttributes?.sourceMessageId?.StringValue, l]));
    expect([...bySource.keys()].sort()).toEqual(['malformed', 'refused']);
    expect(bySource.get('malformed')?.MessageBody).toBe(fanout('not-a-token'));
    expect(bySource.get('malformed')?.MessageAttributes?.reason?.StringValue).toMatch(
      /^next: not a registry page token/,
    );
    expect(bySource.get('refused')?.MessageAttributes?.reason?.StringValue).toBe(
      'next: invalid mailbox page token',
    );
    expect(letters.every((l) => l.QueueUrl === 'https://sqs.local/dlq')).toBe(true);
  });
});

describe('worker: several pages of a chain in one record (pagesPerInvocation)', () => {
  it('logs and reports every page the record ran, not only the last', async () => {
    const { h, start } = await oneFolder({ config: { pagesPerInvocation: 4 } }, 35);
    const container: Container = {
      deps: h.deps,
      destroy() {},
    };
    const seen: JobOutcome[] = [];
    const worker = createWorkerHandler(container, { onOutcome: (o) => seen.push(o) });
    const context = createLambdaContext({
      functionName: 'exchange-sync-worker',
      timeoutMs: 60_000,
      memoryMb: 512,
      region: 'eu-west-1',
    });
    const job = await start();
    const response = (await worker(
      { Records: [record('m1', JSON.stringify(job))] },
      context,
    )) as SQSBatchResponse;
    expect(response.batchItemFailures).toEqual([]);
    expect(seen.map((o) => [o.outcome, (o as PageOutcome).hop])).toEqual([
      ['advanced', 0],
      ['advanced', 1],
      ['advanced', 2],
      ['completed', 3],
    ]);
    expect(h.queue.sent).toEqual([]);
  });
});

describe('worker: the batch deadline', () => {
  it('answers before the Lambda timeout, failing only the record still unfinished', async () => {
    const { h, start } = await oneFolder({ config: { timeReserve: { startMs: 100, applyMs: 50 } } }, 3);
    // This server never answers, and the call ignores its abort signal: the record cannot finish.
    h.deps.mailSource = {
      syncHierarchy: (request) => h.server.syncHierarchy(request),
      resolveWellKnownFolders: (request) => h.server.resolveWellKnownFolders(request),
      syncItems: () => new Promise<never>(() => {}),
    };
    const seen: JobOutcome[] = [];
    const worker = createWorkerHandler({ deps: h.deps, destroy() {} }, { onOutcome: (o) => seen.push(o) });
    // Our own stop comes 3 s before the timeout and 1 s of grace after it; middy's early timeout,
    // which failed the whole batch, finished records included, would come 0.5 s before it.
    const context = createLambdaContext({
      functionName: 'exchange-sync-worker',
      timeoutMs: 5_000,
      memoryMb: 512,
      region: 'eu-west-1',
    });
    const job = await start();
    const stale = { ...job, jobId: 'stale-job', expectVersion: job.expectVersion + 5 };
    const response = (await worker(
      { Records: [record('hung', JSON.stringify(job)), record('finished', JSON.stringify(stale))] },
      context,
    )) as SQSBatchResponse;

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'hung' }]);
    expect(seen.map((o) => o.outcome)).toEqual(['dropped-stale']);
    // Answered at our deadline, before middy's.
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(500);
  });
});
