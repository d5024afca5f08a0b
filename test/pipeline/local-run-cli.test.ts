// `npm start -- --json` end to end in a child process: the CLI's local run starts its own
// DynamoDB Local, fauxqs and simulator, syncs, mutates, syncs again and verifies.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// The CLI starts a JVM of its own: on a loaded 2-core machine that alone can take a minute. A
// bound, not a wait: the run ends as soon as the CLI does.
const TIMEOUT_MS = 300_000;

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // SIGINT lets the CLI stop its DynamoDB Local and simulator; never leave them behind.
    const timer = setTimeout(() => child.kill('SIGINT'), TIMEOUT_MS - 10_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('exchange-sync local --json', () => {
  it(
    'ends verified with a JSON summary alone on stdout',
    async () => {
      const run = await runCli([
        'local',
        '--json',
        '--mailboxes',
        '2',
        '--items',
        '600',
        '--folders-per-mailbox',
        '4',
        '--fault-rate',
        '0.05',
      ]);
      expect(run.code, run.stderr.slice(-2000)).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines, 'stdout holds the summary and nothing else').toHaveLength(1);
      const summary = JSON.parse(lines[0]!) as Record<string, unknown>;
      expect(summary).toMatchObject({ verified: true, mailboxes: 2, missing: 0, extra: 0, stale: 0 });
      expect(Object.keys(summary).sort()).toEqual(
        [
          'verified',
          'mailboxes',
          'folders',
          'serverItems',
          'mirroredItems',
          'missing',
          'extra',
          'stale',
          'pages',
          'changesApplied',
          'throttled',
          'maxConcurrentSyncCallsPerMailbox',
          'maxConcurrentGraphRequestsPerMailbox',
          'sources',
          'durationMs',
        ].sort(),
      );
      // The default run is all EWS: the per-source breakdown names that source alone.
      expect(Object.keys(summary.sources as object)).toEqual(['ews']);
      expect(summary.serverItems).toBe(summary.mirroredItems);
      expect(summary.serverItems as number).toBeGreaterThan(0);
      expect(summary.maxConcurrentSyncCallsPerMailbox as number).toBeLessThanOrEqual(4);
    },
    TIMEOUT_MS,
  );
});
