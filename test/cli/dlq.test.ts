// `dlq list` and `dlq redrive` in-process against DynamoDB Local and fauxqs. Jobs reach the
// dead-letter queue the way they do in AWS: the sync queue's redrive policy moves a message after
// its receives (here after one), and the worker's own path moves an invalid one with its reason.
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoCursorStore, DynamoMailboxRegistry } from '../../lib/adapters/dynamodb/index.js';
import { SqsDeadLetterQueue } from '../../lib/adapters/sqs/dead-letter-queue.js';
import { newFolderCursor, parseSyncJob, type SyncJob, serializeSyncJob } from '../../lib/core/index.js';
import { testMailbox } from '../../lib/core/testing/in-memory-registry.js';
import type { LocalResources } from '../../local/create-resources.js';
import { resourceEnvironment } from '../../local/index.js';
import { runCliCaptured, useLocalSdkCredentials } from '../support/cli-run.js';
import { useLocalAws } from '../support/local-aws.js';

const local = useLocalAws();
const ALICE = 'alice@contoso.com';
const MINUTE = 60_000;

useLocalSdkCredentials();

let resources: LocalResources;
let env: Record<string, string | undefined>;

const cli = (args: string[], environment = env) => runCliCaptured(args, environment);

async function json<T>(args: string[]): Promise<T> {
  const run = await cli([...args, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

const folderJob = (folderId: string, expectVersion: number, jobId = `dead-${folderId}`): SyncJob => ({
  v: 1,
  type: 'folder',
  mailboxId: ALICE,
  folderId,
  jobId,
  expectVersion,
  hop: 12,
});

/** Sends the job to the sync queue and fails its receives until the queue moves it to the DLQ. */
async function deadLetterViaRetries(job: SyncJob): Promise<string> {
  const sqs = local.clients.sqs;
  const sent = await sqs.send(
    new SendMessageCommand({ QueueUrl: resources.queueUrl, MessageBody: serializeSyncJob(job) }),
  );
  for (let receives = 0; receives < 10; receives++) {
    // Visibility 0: each receive "fails" at once; the one past maxReceiveCount moves it.
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: resources.queueUrl, VisibilityTimeout: 0, WaitTimeSeconds: 1 }),
    );
    if (Messages.length === 0) return sent.MessageId!;
  }
  throw new Error('the sync queue never dead-lettered the job');
}

/** Everything on the sync queue now (received for good: the test owns the queue). */
async function syncQueueJobs(): Promise<SyncJob[]> {
  const jobs: SyncJob[] = [];
  for (let polls = 0; polls < 5; polls++) {
    const { Messages = [] } = await local.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: resources.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    if (Messages.length === 0) break;
    jobs.push(...Messages.map((m) => parseSyncJob(m.Body!)));
  }
  return jobs;
}

interface Listed {
  messageId: string;
  kind: string;
  folderId?: string;
  reason: string;
  reasonRecorded: boolean;
  receiveCount: number;
  sentAt: string | null;
}

beforeEach(async () => {
  resources = await local.resources({ maxReceiveCount: 1 });
  env = resourceEnvironment(resources, local.aws.endpoints);
  await new DynamoMailboxRegistry(local.clients.dynamodb, resources.mailboxTable).put(testMailbox(ALICE));
});

const cursors = () => new DynamoCursorStore(local.clients.dynamodb, resources.cursorTable);
const sendInvalid = () =>
  new SqsDeadLetterQueue(local.clients.sqs, resources.deadLetterQueueUrl).send({
    body: '{"v":1,"type":"folder"',
    reason: 'body is not JSON (Unexpected end of JSON input)',
    sourceMessageId: 'src-1',
  });

describe('exchange-sync dlq', () => {
  it('lists dead letters with their reason and leaves them in the queue', async () => {
    const movedId = await deadLetterViaRetries(folderJob('inbox', 3));
    await sendInvalid();

    const listed = await json<Listed[]>(['dlq', 'list']);
    expect(listed).toHaveLength(2);
    const moved = listed.find((l) => l.kind === 'folder')!;
    // SQS keeps the message id when it moves a message: the key to the worker's logs.
    expect(moved).toMatchObject({ messageId: movedId, folderId: 'inbox', reasonRecorded: false });
    expect(moved.reason).toContain(movedId);
    expect(moved.receiveCount).toBeGreaterThanOrEqual(2);
    expect(Date.parse(moved.sentAt!)).toBeGreaterThan(Date.now() - 10 * MINUTE);
    expect(listed.find((l) => l.kind === 'invalid')).toMatchObject({
      reason: 'body is not JSON (Unexpected end of JSON input)',
      reasonRecorded: true,
    });

    const table = await cli(['dlq', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('not recorded');
    expect(table.stdout).toContain('sync job failed');
    // Listing consumed nothing: both are there to list again.
    expect((await json<Listed[]>(['dlq', 'list'])).map((l) => l.messageId).sort()).toEqual(
      listed.map((l) => l.messageId).sort(),
    );
  });

  it('redrives a stale job as one fresh chain, keeps invalid messages unless --drop-invalid', async () => {
    const now = Date.now();
    await cursors().create(
      newFolderCursor(ALICE, 'inbox', now - MINUTE, { version: 9, lastSyncedAt: now - MINUTE }),
    );
    await deadLetterViaRetries(folderJob('inbox', 3));
    await sendInvalid();

    const dry = await cli(['dlq', 'redrive', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Would be');
    expect(await syncQueueJobs()).toEqual([]);
    expect(await json<Listed[]>(['dlq', 'list'])).toHaveLength(2);

    const run = await cli(['dlq', 'redrive']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('inbox: new chain started; deleted');
    expect(run.stderr).toContain('not a job; kept');
    expect(run.stdout).toContain('--drop-invalid');
    const jobs = await syncQueueJobs();
    expect(jobs).toEqual([
      expect.objectContaining({ type: 'folder', folderId: 'inbox', expectVersion: 9, hop: 0 }),
    ]);
    expect((jobs[0] as { jobId: string }).jobId).not.toBe('dead-inbox');
    const left = await json<Listed[]>(['dlq', 'list']);
    expect(left.map((l) => l.kind)).toEqual(['invalid']);

    const dropped = await json<{ entries: { action: string; letter: string }[] }>([
      'dlq',
      'redrive',
      '--drop-invalid',
    ]);
    expect(dropped.entries).toEqual([expect.objectContaining({ action: 'invalid', letter: 'deleted' })]);
    expect(await json<Listed[]>(['dlq', 'list'])).toEqual([]);
    expect(await syncQueueJobs()).toEqual([]);
  });

  it('starts no chain beside a running one, and still clears the dead letter', async () => {
    const now = Date.now();
    await cursors().create(
      newFolderCursor(ALICE, 'busy', now, {
        version: 5,
        status: 'syncing',
        lease: { owner: 'worker', jobId: 'live', until: now + 5 * MINUTE },
      }),
    );
    await deadLetterViaRetries(folderJob('busy', 2));
    const result = await json<{ entries: { action: string; letter: string }[] }>(['dlq', 'redrive']);
    expect(result.entries).toEqual([expect.objectContaining({ action: 'running', letter: 'deleted' })]);
    expect(await syncQueueJobs()).toEqual([]);
    expect(await json<Listed[]>(['dlq', 'list'])).toEqual([]);
  });

  it('asks for the dead-letter queue when it is not configured', async () => {
    const run = await cli(['dlq', 'list'], { ...env, DEAD_LETTER_QUEUE_URL: undefined });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('DEAD_LETTER_QUEUE_URL (or --dead-letter-queue-url)');
  });
});
