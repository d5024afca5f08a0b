// `exchange-sync dev` end to end, as the README walkthrough writes it: its first block (`npm run
// dev`) runs in one process group, as a terminal runs it; its other blocks run in `bash` with
// nothing but PATH and an empty HOME (no AWS variable or profile); the mirror follows the server
// through a mutation and `sync-now`; the purge leaves nothing of the mailbox and leaves another
// alone; Ctrl-C (SIGINT to the group) stops everything.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../cli/operator/env-file.js';
import { DynamoItemMirror } from '../../lib/adapters/dynamodb/index.js';
import type { LocalResources } from '../../local/create-resources.js';
import { findFreePort } from '../../local/free-port.js';
import { createLocalAwsClients } from '../../local/local-aws-clients.js';
import { waitUntil } from '../support/pipeline.js';
import { NOTHING_STORED, storedFor } from '../support/purge-fixtures.js';
import { readWalkthrough, shellState } from '../support/readme-walkthrough.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Bounds, not waits. The stack starts a JVM of its own: on a loaded 2-core machine that alone
// can take a minute, and each CLI process takes seconds to load.
const START_MS = 180_000;
const SYNC_MS = 120_000;
const STOP_MS = 30_000;
const TEST_TIMEOUT_MS = START_MS + 3 * SYNC_MS + STOP_MS + 60_000;

const home = mkdtempSync(join(tmpdir(), 'dev-stack-'));
const envFile = join(home, 'dev.env');
/** What a fresh shell has: no AWS variable, and a HOME without ~/.aws; npm asks no registry. */
const cleanEnv = {
  PATH: process.env.PATH ?? '',
  HOME: home,
  NO_COLOR: '1',
  npm_config_update_notifier: 'false',
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function finished(resolve: (run: Run) => void) {
  return (error: { code?: unknown } | null, stdout: string, stderr: string) =>
    resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
}

/** An operator command, run straight through node (faster than npx) with the env file. */
function cli(args: string[], options: { envFile: boolean } = { envFile: true }): Promise<Run> {
  const tail = options.envFile ? ['--env-file', envFile] : [];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', ...args, ...tail],
      { cwd: ROOT, env: cleanEnv },
      finished(resolve),
    );
  });
}

/** A README block, as the second terminal runs it (stopping at the first failing command). */
function shell(script: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile('bash', ['-e', '-c', script], { cwd: ROOT, env: cleanEnv }, finished(resolve));
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
}

let group: ChildProcess | undefined;
afterAll(() => {
  // Only when the test failed before its own Ctrl-C: SIGINT lets `dev` stop its JVM.
  if (group?.pid !== undefined && group.exitCode === null) process.kill(-group.pid, 'SIGINT');
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

describe('the README walkthrough (exchange-sync dev)', () => {
  it(
    'works as written: add, status, mutate, sync-now, reset, purge; Ctrl-C stops everything with exit 0',
    async () => {
      const walkthrough = readWalkthrough(ROOT, envFile);
      expect(walkthrough.dev).toBe(`npm run dev -- --env-file ${envFile}`);
      expect(walkthrough.steps).toHaveLength(3);
      const [addAndWatch, mutateAndSync, resetAndPurge] = walkthrough.steps as [string, string, string];
      const inherited = shellState([addAndWatch]);

      // Its own process group, as a terminal's foreground job: Ctrl-C reaches npm and node alike.
      const dev = spawn('bash', ['-c', walkthrough.dev], {
        cwd: ROOT,
        env: cleanEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      group = dev;
      let output = '';
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
      };
      dev.stdout.on('data', collect);
      dev.stderr.on('data', collect);
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
      const [alice, bob] = env.SIMULATOR_MAILBOXES!.split(' ') as [string, string];
      expect(addAndWatch).toContain(`--smtp ${alice}`);
      const resources: LocalResources = {
        mailboxTable: env.MAILBOX_TABLE!,
        cursorTable: env.CURSOR_TABLE!,
        itemTable: env.ITEM_TABLE!,
        queueUrl: env.SYNC_QUEUE_URL!,
        queueArn: '',
        deadLetterQueueUrl: env.DEAD_LETTER_QUEUE_URL!,
        deadLetterQueueArn: '',
        stateBucket: env.STATE_BUCKET!,
      };
      const clients = createLocalAwsClients({ dynamodb: env.DYNAMODB_ENDPOINT!, sqs: env.SQS_ENDPOINT! });
      const mirror = new DynamoItemMirror(clients.dynamodb, env.ITEM_TABLE!);

      /** Every folder settled, and the mirror holds exactly what the simulator's admin API does. */
      const mirrorEqualsServer = async (smtp: string): Promise<boolean> => {
        const { folderDetails } = await json<{ folderDetails: FolderStatus[] }>(['status', '--smtp', smtp]);
        if (folderDetails.length === 0 || folderDetails.some((f) => f.status === 'syncing')) return false;
        for (const folder of folderDetails) {
          if (folder.status === 'excluded') continue;
          const server =
            folder.status === 'gone'
              ? []
              : ((await (
                  await fetch(
                    `${env.SIMULATOR_ADMIN_URL}/mailboxes/${smtp}/folders/${encodeURIComponent(folder.folderId)}/items`,
                  )
                ).json()) as { id: string; changeKey: string }[]);
          const mirrored = await mirror.listLive(smtp, folder.folderId);
          const key = (id: string, changeKey: string | undefined) => `${id} ${changeKey}`;
          const want = server.map((i) => key(i.id, i.changeKey)).sort();
          if (JSON.stringify(mirrored.map((i) => key(i.itemId, i.changeKey)).sort()) !== JSON.stringify(want))
            return false;
        }
        return true;
      };

      try {
        const added = await shell(addAndWatch);
        expect(added.code, added.stderr).toBe(0);
        expect(added.stderr, 'nothing on stderr but what concerns the user').toBe('');
        expect(added.stdout).toContain(`Registered ${alice}`);
        // Not in the walkthrough: a second mailbox, which the purge must leave alone.
        const other = await cli(
          ['mailbox', 'add', '--smtp', bob, '--endpoint', env.SIMULATOR_EWS_URL!].concat([
            '--credentials',
            'local:simulator',
            '--allow-insecure-http',
          ]),
        );
        expect(other.code, other.stderr).toBe(0);
        await waitUntil(`${alice} synced by the tick`, () => mirrorEqualsServer(alice), SYNC_MS);
        await waitUntil(`${bob} synced by the tick`, () => mirrorEqualsServer(bob), SYNC_MS);
        const bobBefore = await storedFor(clients, resources, bob);
        expect(bobBefore.items.length).toBeGreaterThan(0);

        const mutated = await shell(`${inherited}\n${mutateAndSync}`);
        expect(mutated.code, mutated.stderr).toBe(0);
        expect(mutated.stdout).toContain('"applied":');
        // sync-now: at once, not at the folders' next turn a minute later.
        await waitUntil(`${alice}'s mutations mirrored`, () => mirrorEqualsServer(alice), SYNC_MS);

        // `reset` refuses while a page is in flight ("run it again a moment later"), and stops the
        // block before the purge: as a user would, run the block again.
        let erased: Run | undefined;
        await waitUntil(
          'reset and purge',
          async () => {
            erased = await shell(`${inherited}\n${resetAndPurge}`);
            if (erased.code !== 0 && !erased.stderr.includes('try again when it ends'))
              throw new Error(`reset or purge failed:\n${erased.stderr}`);
            return erased.code === 0;
          },
          SYNC_MS,
        );
        expect(erased!.stdout).toContain(`Purged ${alice}`);
        expect(await storedFor(clients, resources, alice)).toEqual(NOTHING_STORED);
        const bobAfter = await storedFor(clients, resources, bob);
        expect(bobAfter.items).toEqual(bobBefore.items);
        expect(bobAfter.registry.map((row) => row.sk)).toContain('#mailbox');
        expect(bobAfter.cursors.map((c) => c.sk).sort()).toEqual(bobBefore.cursors.map((c) => c.sk).sort());
      } finally {
        clients.destroy();
      }

      process.kill(-dev.pid!, 'SIGINT');
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
