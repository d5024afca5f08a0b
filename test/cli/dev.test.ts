// `exchange-sync dev` end to end, as the README walkthrough uses it: the stack runs in one child
// process; the operator commands run in others with nothing but `--env-file` (no AWS variables,
// an empty HOME, so no AWS account or profile); the mirror fills; Ctrl-C stops everything.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../cli/operator/env-file.js';
import { DynamoItemMirror } from '../../lib/adapters/dynamodb/index.js';
import { findFreePort } from '../../local/free-port.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/index.js';
import { waitUntil } from '../support/pipeline.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Bounds, not waits. The child starts a JVM of its own: on a loaded 2-core machine that alone
// can take a minute, and each CLI process takes seconds to load.
const START_MS = 180_000;
const SYNC_MS = 120_000;
const STOP_MS = 30_000;
const TEST_TIMEOUT_MS = START_MS + SYNC_MS + STOP_MS + 60_000;

const home = mkdtempSync(join(tmpdir(), 'dev-stack-'));
const envFile = join(home, 'dev.env');
/** What a fresh shell has: no AWS variable, and a HOME without ~/.aws. */
const cleanEnv = { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1' };

function cli(
  args: string[],
  options: { envFile: boolean } = { envFile: true },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', ...args, ...(options.envFile ? ['--env-file', envFile] : [])],
      { cwd: ROOT, env: cleanEnv },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

async function json<T>(args: string[]): Promise<T> {
  const run = await cli([...args, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

function portIsClosed(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

interface FolderStatus {
  folderId: string;
  displayName?: string;
  status: string;
  changesApplied: number;
  lastSyncedAt: string | null;
}

let child: ChildProcess | undefined;
afterAll(() => {
  // Only when the test failed before its own SIGINT: SIGINT lets the child stop its JVM.
  if (child?.exitCode === null) child.kill('SIGINT');
});

describe('operator commands against local endpoints', () => {
  it('sign with dummy credentials when none are configured, instead of asking for a profile', async () => {
    // Nothing listens there: the command must get as far as trying to connect.
    const port = await findFreePort();
    const run = await cli(
      [
        'status',
        '--dynamodb-endpoint',
        `http://127.0.0.1:${port}`,
        '--sqs-endpoint',
        `http://127.0.0.1:${port}`,
        '--mailbox-table',
        'm',
        '--cursor-table',
        'c',
      ],
      { envFile: false },
    );
    // One line, about the command: no SDK note about Node versions to come (it concerns whoever
    // upgrades the pinned SDK, not an operator), no credentials complaint.
    expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining('cannot reach the endpoint')]);
    expect(run.code).toBe(1);
  });
});

describe('exchange-sync dev', () => {
  it(
    'serves the operator commands through --env-file, syncs, and stops on SIGINT with exit 0',
    async () => {
      // `--` as `npm run dev` has it: Node 20 would otherwise read the script's own
      // `--env-file <not yet written>` as its flag and exit (nodejs/node#54232).
      const dev = spawn(
        process.execPath,
        ['--import', 'tsx', '--', 'cli/main.ts', 'dev', '--env-file', envFile, '--tick-seconds', '2'],
        { cwd: ROOT, env: cleanEnv, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = dev;
      let output = '';
      dev.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      dev.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => dev.once('exit', (code) => resolve(code)));

      await waitUntil(
        'the env file',
        () => {
          if (dev.exitCode !== null) throw new Error(`dev exited early (${dev.exitCode}):\n${output}`);
          return existsSync(envFile);
        },
        START_MS,
      );
      const env = parseEnvFile(readFileSync(envFile, 'utf8'), envFile);
      const smtp = env.SIMULATOR_MAILBOX!;

      const add = await cli([
        'mailbox',
        'add',
        '--smtp',
        smtp,
        '--endpoint',
        env.SIMULATOR_EWS_URL!,
        '--credentials',
        'local:simulator',
        '--allow-insecure-http',
      ]);
      expect(add.code, add.stderr).toBe(0);
      const [started] = await json<{ mailboxId: string }[]>(['sync-now', '--smtp', smtp]);
      expect(started).toMatchObject({ mailboxId: smtp });

      let inbox: FolderStatus | undefined;
      await waitUntil(
        'the inbox synced, as status reports it',
        async () => {
          const status = await json<{ folderDetails: FolderStatus[] }>(['status', '--smtp', smtp]);
          inbox = status.folderDetails.find((f) => f.displayName === 'Inbox');
          return inbox?.status === 'idle' && inbox.lastSyncedAt !== null;
        },
        SYNC_MS,
      );

      // The mirror holds the inbox as the simulator's admin API reports it.
      const server = (await (
        await fetch(
          `${env.SIMULATOR_ADMIN_URL}/mailboxes/${smtp}/folders/${encodeURIComponent(inbox!.folderId)}/items`,
        )
      ).json()) as { id: string }[];
      const dynamodb = new DynamoDBClient({
        endpoint: env.DYNAMODB_ENDPOINT,
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
      });
      const mirrored = await new DynamoItemMirror(dynamodb, env.ITEM_TABLE!).listLive(smtp, inbox!.folderId);
      dynamodb.destroy();
      expect(server.length).toBeGreaterThan(0);
      expect(mirrored.map((item) => item.itemId).sort()).toEqual(server.map((item) => item.id).sort());
      expect(inbox!.changesApplied).toBeGreaterThanOrEqual(server.length);

      dev.kill('SIGINT');
      const code = await Promise.race([
        exited,
        new Promise<string>((resolve) => setTimeout(() => resolve('still running'), STOP_MS)),
      ]);
      expect(code, output.slice(-3000)).toBe(0);
      const endpoints = [env.DYNAMODB_ENDPOINT!, env.SQS_ENDPOINT!, env.SIMULATOR_EWS_URL!];
      expect(await Promise.all(endpoints.map(portIsClosed))).toEqual([true, true, true]);
    },
    TEST_TIMEOUT_MS,
  );
});
