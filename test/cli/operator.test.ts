// The operator commands run in-process against DynamoDB Local and fauxqs: what they write is read
// back through the adapters, and what they enqueue is received from the queue.
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoCursorStore, DynamoMailboxRegistry } from '../../lib/adapters/dynamodb/index.js';
import {
  type Cursor,
  HIERARCHY_CURSOR_ID,
  newFolderCursor,
  parseSyncJob,
  type SyncJob,
} from '../../lib/core/index.js';
import type { LocalResources } from '../../local/create-resources.js';
import { resourceEnvironment } from '../../local/index.js';
import { runCliCaptured, useLocalSdkCredentials } from '../support/cli-run.js';
import { useLocalAws } from '../support/local-aws.js';

const local = useLocalAws();
const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const MINUTE = 60_000;

useLocalSdkCredentials();

let resources: LocalResources;
let env: Record<string, string>;

const cli = (args: string[], overrides: { env?: Record<string, string | undefined> } = {}) =>
  runCliCaptured(args, overrides.env ?? env, () => NOW);

async function json<T>(args: string[]): Promise<T> {
  const run = await cli([...args, '--json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

const registry = () => new DynamoMailboxRegistry(local.clients.dynamodb, resources.mailboxTable);
const GONE = { reason: 'gone', code: 'FolderDeleted', at: NOW - MINUTE, closedAtVersion: 1 } as const;
const EXCLUDED = {
  reason: 'excluded',
  code: 'ExcludedByFilter',
  at: NOW - MINUTE,
  closedAtVersion: 1,
} as const;
const cursors = () => new DynamoCursorStore(local.clients.dynamodb, resources.cursorTable);

/** Receives until `count` messages arrived, then checks that no more are waiting. */
async function receiveJobs(count: number): Promise<SyncJob[]> {
  const jobs: SyncJob[] = [];
  for (let polls = 0; jobs.length < count && polls < 20; polls++) {
    const { Messages = [] } = await local.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: resources.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    jobs.push(...Messages.map((m) => parseSyncJob(m.Body!)));
  }
  const { Messages: extra = [] } = await local.clients.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: resources.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  return [...jobs, ...extra.map((m) => parseSyncJob(m.Body!))];
}

const ALICE = ['--smtp', 'Alice@Contoso.com', '--endpoint', 'https://ews.contoso.com/EWS/Exchange.asmx'];

async function addAlice(extra: string[] = []): Promise<void> {
  const run = await cli(['mailbox', 'add', ...ALICE, '--credentials', 'exchange-sync/tenant-a', ...extra]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
}

function folder(folderId: string, fields: Partial<Cursor> = {}): Cursor {
  return newFolderCursor('alice@contoso.com', folderId, NOW - 60 * MINUTE, {
    displayName: folderId,
    ...fields,
  });
}

beforeEach(async () => {
  resources = await local.resources();
  env = resourceEnvironment(resources, local.aws.endpoints);
});

describe('exchange-sync mailbox', () => {
  it('adds, lists, replaces and removes a mailbox', async () => {
    await addAlice(['--page-size', '100', '--folders', 'inbox,sentitems', '--properties', 'subject']);
    const stored = await registry().get('alice@contoso.com');
    expect(stored).toMatchObject({
      mailboxId: 'alice@contoso.com',
      source: { kind: 'ews', smtpAddress: 'Alice@Contoso.com' },
      credentialsRef: 'exchange-sync/tenant-a',
      pageSize: 100,
      maxConcurrentSyncs: 4,
      folderFilter: { wellKnownNames: ['inbox', 'sentitems'] },
      properties: ['subject'],
      status: 'enabled',
      createdAt: NOW,
    });

    const table = await cli(['mailbox', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Alice@Contoso.com');
    expect(table.stdout).toContain('inbox, sentitems');
    const listed = await json<{ mailboxId: string; pageSize: number }[]>(['mailbox', 'list']);
    expect(listed).toMatchObject([{ mailboxId: 'alice@contoso.com', pageSize: 100 }]);

    const again = await cli(['mailbox', 'add', ...ALICE, '--credentials', 'exchange-sync/tenant-a']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already registered.*--replace/);

    await cli(['mailbox', 'park', '--smtp', 'alice@contoso.com', '--reason', 'audit']);
    await addAlice(['--replace', '--max-concurrent', '5']);
    // Replacing settings keeps the operational state.
    expect(await registry().get('alice@contoso.com')).toMatchObject({
      maxConcurrentSyncs: 5,
      pageSize: 512,
      folderFilter: {},
      status: 'parked',
      parkedReason: 'audit',
    });

    const removed = await cli(['mailbox', 'remove', '--smtp', 'alice@contoso.com']);
    expect(removed.code).toBe(0);
    expect(await registry().get('alice@contoso.com')).toBeUndefined();
    expect((await cli(['mailbox', 'list'])).stdout).toContain('No mailboxes registered');
    const unknown = await cli(['mailbox', 'remove', '--smtp', 'alice@contoso.com']);
    expect(unknown).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no mailbox alice@contoso.com'),
    });
  });

  it('parks and unparks', async () => {
    await addAlice();
    expect(
      (await cli(['mailbox', 'park', '--smtp', 'alice@contoso.com', '--reason', 'tenant offboarding'])).code,
    ).toBe(0);
    expect(await registry().get('alice@contoso.com')).toMatchObject({
      status: 'parked',
      parkedReason: 'tenant offboarding',
    });
    const status = await json<{ status: string; parkedReason: string }[]>(['status']);
    expect(status).toMatchObject([{ status: 'parked', parkedReason: 'tenant offboarding' }]);

    expect(await cli(['mailbox', 'unpark', '--smtp', 'alice@contoso.com'])).toMatchObject({
      code: 0,
      stdout: 'Unparked Alice@Contoso.com (was: tenant offboarding).\n',
    });
    const unparked = await registry().get('alice@contoso.com');
    expect(unparked?.status).toBe('enabled');
    expect(unparked?.parkedReason).toBeUndefined();
    expect((await cli(['mailbox', 'unpark', '--smtp', 'alice@contoso.com'])).stdout).toBe(
      'Alice@Contoso.com is not parked.\n',
    );
    expect(await cli(['mailbox', 'unpark', '--smtp', 'bob@contoso.com'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no mailbox bob@contoso.com is registered'),
    });
  });

  it('unpark --all unparks every parked mailbox, or those whose reason contains --reason', async () => {
    await addAlice();
    const alice = (await registry().get('alice@contoso.com'))!;
    const store = registry();
    const reasons: Record<string, string | undefined> = {
      alice: 'HTTP_401: SyncFolderItems unauthorized: Basic realm="ews"',
      bob: 'OAuth2:invalid_client: token endpoint refused the request',
      carol: 'parked by operator',
      dave: undefined,
    };
    for (const [name, reason] of Object.entries(reasons)) {
      const mailboxId = `${name}@contoso.com`;
      if (name !== 'alice')
        await store.put({
          ...alice,
          mailboxId,
          source: {
            ...(alice.source as { kind: 'ews'; endpoint: string }),
            kind: 'ews',
            smtpAddress: mailboxId,
          },
        });
      if (reason !== undefined) await store.park(mailboxId, reason, NOW - MINUTE);
    }

    const byReason = await json<Record<string, unknown>>([
      'mailbox',
      'unpark',
      '--all',
      '--reason',
      'http_401',
    ]);
    expect(byReason).toEqual({
      reason: 'http_401',
      matched: 1,
      unparked: 1,
      skipped: 0,
      mailboxes: [
        { mailboxId: 'alice@contoso.com', smtpAddress: 'Alice@Contoso.com', parkedReason: reasons.alice },
      ],
      failures: [],
    });
    expect(await store.get('bob@contoso.com')).toMatchObject({ status: 'parked', parkedReason: reasons.bob });

    const rest = await cli(['mailbox', 'unpark', '--all']);
    expect(rest).toMatchObject({ code: 0, stderr: '' });
    expect(rest.stdout).toContain('Unparked 2 of 2 mailbox(es) parked.');
    expect(rest.stdout).toContain('invalid_client');
    for (const name of Object.keys(reasons)) {
      const mailbox = await store.get(`${name}@contoso.com`);
      expect(mailbox?.status).toBe('enabled');
      expect(mailbox?.parkedReason).toBeUndefined();
    }
    expect((await cli(['mailbox', 'unpark', '--all'])).stdout).toBe('No mailboxes are parked.\n');

    for (const args of [
      [],
      ['--smtp', 'bob@contoso.com', '--all'],
      ['--smtp', 'bob@contoso.com', '--reason', 'x'],
    ]) {
      expect((await cli(['mailbox', 'unpark', ...args])).code).toBe(2);
    }
    expect(await cli(['mailbox', 'unpark', '--all', '--reason', ' '])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--reason: must not be empty'),
    });
    const help = await cli(['mailbox', 'unpark', '--help']);
    expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining('--reason <text>') });
  });

  it('rejects invalid input with exit code 2, naming each flag, and never echoes the credentials', async () => {
    const bad = await cli([
      'mailbox',
      'add',
      '--smtp',
      'not-an-address',
      '--endpoint',
      'http://ews.contoso.com/EWS/Exchange.asmx',
      '--credentials',
      'hunter2-secret-value',
      '--page-size',
      '513',
      '--max-concurrent',
      '51',
      '--kinds',
      'Note',
      '--properties',
      'Subject',
    ]);
    expect(bad.code).toBe(2);
    for (const flag of [
      '--smtp',
      '--endpoint',
      '--credentials',
      '--page-size',
      '--max-concurrent',
      '--kinds',
      '--properties',
    ]) {
      expect(bad.stderr).toContain(`${flag}:`);
    }
    expect(bad.stderr).not.toContain('hunter2');
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await registry().get('not-an-address')).toBeUndefined();

    const zero = await cli(['mailbox', 'add', ...ALICE, '--credentials', 'local:alice', '--page-size', '0']);
    expect(zero).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--page-size: must be at least 1'),
    });

    const missing = await cli(['mailbox', 'add', '--smtp', 'a@b.example', '--credentials', 'local:x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--endpoint: is required with --source ews');

    // A plain-http simulator is allowed only when asked for.
    const http = await cli([
      'mailbox',
      'add',
      '--smtp',
      'bob@contoso.com',
      '--endpoint',
      'http://127.0.0.1:8080/EWS/Exchange.asmx',
      '--credentials',
      'local:sim',
      '--allow-insecure-http',
    ]);
    expect(http.code).toBe(0);
  });

  it('names missing configuration, and flags override the environment', async () => {
    const { MAILBOX_TABLE: table, ...rest } = env;
    const missing = await cli(['mailbox', 'list'], { env: rest });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('MAILBOX_TABLE (or --mailbox-table)');

    await addAlice();
    const flagged = await cli(['mailbox', 'list', '--json', '--mailbox-table', table!], { env: rest });
    expect(flagged.code).toBe(0);
    expect(JSON.parse(flagged.stdout)).toHaveLength(1);

    const wrongTable = await cli(['mailbox', 'list', '--mailbox-table', 'no-such-table']);
    expect(wrongTable.code).toBe(1);
    expect(wrongTable.stderr).toContain('a table does not exist');

    const noQueue = await cli(['sync-now', '--all'], { env: { ...env, SYNC_QUEUE_URL: undefined } });
    expect(noQueue).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('SYNC_QUEUE_URL (or --queue-url)'),
    });
  });
});

describe('exchange-sync status', () => {
  it('reports folders by status, lag, back-off, errors and stuck chains', async () => {
    await addAlice();
    await registry().extendBackoff('alice@contoso.com', NOW + 5 * MINUTE);
    const store = cursors();
    await store.create({ ...folder(HIERARCHY_CURSOR_ID), kind: 'hierarchy', lastSyncedAt: NOW - 2 * MINUTE });
    await store.create(folder('inbox', { lastSyncedAt: NOW - 10 * MINUTE }));
    await store.create(folder('sent', { lastSyncedAt: NOW - 40 * MINUTE }));
    await store.create(folder('new'));
    // Syncing, the lease long expired, nothing written for an hour: a chain that died.
    await store.create(
      folder('stuck', {
        status: 'syncing',
        lastSyncedAt: NOW - 30 * MINUTE,
        lease: { owner: 'dead', jobId: 'j', until: NOW - 50 * MINUTE },
        lastError: { code: 'ServerBusy', message: 'x', at: NOW - 55 * MINUTE },
      }),
    );
    // Syncing under a live lease: in flight, not stuck.
    await store.create(
      folder('busy', {
        status: 'syncing',
        lease: { owner: 'w', jobId: 'k', until: NOW + MINUTE },
        lastSyncedAt: NOW - 5 * MINUTE,
      }),
    );
    await store.create(folder('gone', { stop: GONE }));
    await store.create(folder('junk', { stop: EXCLUDED }));

    const [summary] = await json<Record<string, unknown>[]>(['status']);
    expect(summary).toMatchObject({
      mailboxId: 'alice@contoso.com',
      status: 'enabled',
      backoffUntil: new Date(NOW + 5 * MINUTE).toISOString(),
      folders: { idle: 3, syncing: 2, gone: 1, excluded: 1 },
      neverSynced: 1,
      lagMs: 40 * MINUTE,
      inFlight: 1,
      stuck: 1,
      errors: [{ folderId: 'stuck', code: 'ServerBusy' }],
    });
    expect(summary).not.toHaveProperty('folderDetails');

    const one = await json<{ folderDetails: { folderId: string; stuck: boolean; inFlight: boolean }[] }>([
      'status',
      '--smtp',
      'alice@contoso.com',
    ]);
    expect(one.folderDetails.find((f) => f.folderId === 'stuck')).toMatchObject({
      stuck: true,
      inFlight: false,
    });
    expect(one.folderDetails.find((f) => f.folderId === 'busy')).toMatchObject({
      stuck: false,
      inFlight: true,
    });

    const table = await cli(['status', '--smtp', 'alice@contoso.com']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('5m left');
    expect(table.stdout).toContain('STUCK');
    expect(table.stdout).toContain('1 stuck chain(s)');
    expect(table.stdout).toContain('ServerBusy');
  });
});

describe('exchange-sync sync-now', () => {
  it('enqueues the hierarchy and every idle folder at once, but never beside a live chain', async () => {
    await addAlice();
    const store = cursors();
    // Synced a minute ago: not due for the tick, but an explicit request ignores the interval.
    await store.create(folder('inbox', { lastSyncedAt: NOW - MINUTE, version: 7 }));
    await store.create(
      folder('busy', { status: 'syncing', lease: { owner: 'w', jobId: 'k', until: NOW + MINUTE } }),
    );
    await store.create(folder('junk', { stop: EXCLUDED }));
    await store.create(folder('gone', { stop: GONE }));

    const results = await json<unknown[]>(['sync-now', '--smtp', 'alice@contoso.com']);
    expect(results).toEqual([
      { mailboxId: 'alice@contoso.com', hierarchy: true, folderJobs: 1, alreadySyncing: 1 },
    ]);
    const jobs = await receiveJobs(2);
    expect(jobs).toHaveLength(2);
    expect(jobs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'hierarchy',
          mailboxId: 'alice@contoso.com',
          expectVersion: 0,
          hop: 0,
        }),
        expect.objectContaining({ type: 'folder', folderId: 'inbox', expectVersion: 7, hop: 0 }),
      ]),
    );
    // The hierarchy cursor the workers need exists now.
    expect(await store.get('alice@contoso.com', HIERARCHY_CURSOR_ID)).toMatchObject({
      kind: 'hierarchy',
      version: 0,
    });
  });

  it('--all skips parked mailboxes; exactly one of --smtp and --all', async () => {
    await addAlice();
    await cli([
      'mailbox',
      'add',
      '--smtp',
      'bob@contoso.com',
      '--endpoint',
      'https://e.example/EWS',
      '--credentials',
      'local:bob',
    ]);
    await cli(['mailbox', 'park', '--smtp', 'bob@contoso.com']);
    const run = await cli(['sync-now', '--all']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('skipped (parked)');
    const jobs = await receiveJobs(1);
    expect(jobs.map((j) => (j.type === 'fanout' ? j.type : j.mailboxId))).toEqual(['alice@contoso.com']);

    expect((await cli(['sync-now'])).code).toBe(2);
    expect((await cli(['sync-now', '--all', '--smtp', 'x@y.example'])).stderr).toContain('either --smtp');
  });
});

describe('exchange-sync reset', () => {
  it('resets one folder through the version fence and enqueues it at the new version', async () => {
    await addAlice();
    const store = cursors();
    await store.create(
      folder('inbox', {
        syncState: 'H4sIAAAA',
        version: 12,
        generation: 2,
        status: 'syncing',
        nextJobId: 'follow-up',
        doneJobId: 'done',
        lastSyncedAt: NOW - MINUTE,
        lastError: { code: 'ServerBusy', message: 'x', at: NOW - MINUTE },
        pages: 40,
        changesApplied: 9000,
      }),
    );
    const run = await cli(['reset', '--smtp', 'alice@contoso.com', '--folder', 'inbox']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('reset (generation 3)');

    const reset = await store.get('alice@contoso.com', 'inbox');
    expect(reset).toMatchObject({
      version: 13,
      generation: 3,
      resyncPending: true,
      status: 'idle',
      pages: 40,
    });
    expect(reset?.syncState).toBeUndefined();
    expect(reset?.nextJobId).toBeUndefined();
    expect(reset?.lastError).toBeUndefined();
    const jobs = await receiveJobs(1);
    expect(jobs).toEqual([
      expect.objectContaining({ type: 'folder', folderId: 'inbox', expectVersion: 13, hop: 0 }),
    ]);
  });

  it('refuses while a page holds a live lease, and resets a whole mailbox except gone folders', async () => {
    await addAlice();
    const store = cursors();
    const lease = { owner: 'worker', jobId: 'j1', until: NOW + MINUTE };
    await store.create(folder('busy', { syncState: 'S', status: 'syncing', lease, version: 3 }));
    const refused = await cli(['reset', '--smtp', 'alice@contoso.com', '--folder', 'busy']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('a page is in flight');
    expect(await store.get('alice@contoso.com', 'busy')).toMatchObject({ version: 3, syncState: 'S', lease });
    expect(await receiveJobs(0)).toEqual([]);

    const missing = await cli(['reset', '--smtp', 'alice@contoso.com', '--folder', 'nope']);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('has no folder nope') });

    await store.create({ ...folder(HIERARCHY_CURSOR_ID, { syncState: 'H', version: 4 }), kind: 'hierarchy' });
    await store.create(folder('inbox', { syncState: 'I', version: 5, generation: 1 }));
    await store.create(folder('gone', { stop: GONE, syncState: 'G' }));
    await store.create(folder('junk', { stop: EXCLUDED, syncState: 'J' }));
    // A dead page's lease does not block a reset.
    await store.create(
      folder('dead', { status: 'syncing', syncState: 'D', lease: { ...lease, until: NOW - 1 } }),
    );
    const all = await cli(['reset', '--smtp', 'alice@contoso.com', '--json']);
    expect(all.code).toBe(1); // 'busy' still refused
    const results = JSON.parse(all.stdout) as { folderId: string; reset: boolean; enqueued: boolean }[];
    expect(Object.fromEntries(results.map((r) => [r.folderId, [r.reset, r.enqueued]]))).toEqual({
      [HIERARCHY_CURSOR_ID]: [true, true],
      busy: [false, false],
      dead: [true, true],
      inbox: [true, true],
    });
    expect(await store.get('alice@contoso.com', HIERARCHY_CURSOR_ID)).toMatchObject({
      version: 5,
      generation: 0,
    });
    expect((await store.get('alice@contoso.com', HIERARCHY_CURSOR_ID))?.syncState).toBeUndefined();
    expect(await store.get('alice@contoso.com', 'inbox')).toMatchObject({
      version: 6,
      generation: 2,
      resyncPending: true,
    });
    expect((await store.get('alice@contoso.com', 'dead'))?.lease).toBeUndefined();
    expect(await store.get('alice@contoso.com', 'gone')).toMatchObject({ syncState: 'G', generation: 0 });
    // An excluded folder is left as it is: it syncs from scratch once the filter includes it again.
    expect(await store.get('alice@contoso.com', 'junk')).toMatchObject({
      stop: EXCLUDED,
      generation: 0,
      syncState: 'J',
    });
    const jobs = await receiveJobs(3);
    expect(jobs.map((j) => (j.type === 'folder' ? j.folderId : j.type)).sort()).toEqual([
      'dead',
      'hierarchy',
      'inbox',
    ]);
  });
});

describe('exchange-sync (program)', () => {
  it('prints help and version with exit code 0, and rejects unknown commands with 2', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['mailbox', 'status', 'sync-now', 'reset', 'simulator', 'local']) {
      expect(help.stdout).toContain(command);
    }
    const subHelp = await cli(['reset', '--help']);
    expect(subHelp).toMatchObject({ code: 0, stdout: expect.stringContaining('--folder <id>') });
    const version = await cli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
    const unknown = await cli(['frobnicate']);
    expect(unknown).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("unknown command 'frobnicate'"),
    });
  });
});
