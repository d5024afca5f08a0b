// The local run exactly as the README documents it, end to end in a child process: `npm start
// --silent -- --json` starts its own DynamoDB Local, fauxqs and simulator, syncs, mutates, syncs
// again and verifies; stdout is one JSON document and stderr only what concerns the user.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** `npm start --silent -- <args>`, as the README writes it; SIGINT, then SIGKILL, past `boundMs`. */
function npmStart(args: string[], env: NodeJS.ProcessEnv, boundMs: number): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['start', '--silent', '--', ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a signal must reach the CLI under npm, not npm alone.
      detached: true,
    });
    const signal = (name: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, name);
      } catch {
        // Already gone.
      }
    };
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // SIGINT lets the CLI stop its DynamoDB Local and simulator; never leave them behind.
    const interrupt = setTimeout(() => signal('SIGINT'), boundMs);
    const kill = setTimeout(() => signal('SIGKILL'), boundMs + 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(interrupt);
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    });
  });
}

/** What a user must not see on stderr: noise from the libraries, not about their run. */
const NOISE = [
  'NodeVersionSupportWarning',
  'No application metrics to publish',
  'socket usage at capacity',
  'MaxListenersExceededWarning',
  'Warning:',
];

/** The command the README documents for a JSON summary. */
const DOCUMENTED = 'npm start --silent -- --json';

describe(DOCUMENTED, () => {
  it('is the command the README documents', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`${DOCUMENTED} `);
  });

  it(
    'prints one JSON document on stdout, only progress on stderr, and folder counts the progress agrees with',
    async () => {
      const run = await npmStart(
        [
          '--json',
          '--mailboxes',
          '2',
          '--items-per-mailbox',
          '300',
          '--folders-per-mailbox',
          '4',
          '--fault-rate',
          '0.05',
          // More poll loops than Node's default of 10 listeners on one abort signal.
          '--worker-concurrency',
          '16',
        ],
        { ...process.env, NO_COLOR: '1' },
        TIMEOUT_MS - 30_000,
      );
      expect(run.code, run.stderr.slice(-2000)).toBe(0);
      const summary = JSON.parse(run.stdout) as Record<string, unknown>;
      expect(summary).toMatchObject({ verified: true, mailboxes: 2, missing: 0, extra: 0, stale: 0 });
      expect(Object.keys(summary).sort()).toEqual(
        [
          'verified',
          'mailboxes',
          'folders',
          'foldersGone',
          'foldersLeftOut',
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
      // The organisation has folders the default filter does not select (notes, for one).
      expect(summary.foldersLeftOut as number).toBeGreaterThan(0);

      const lines = run.stderr.trim().split('\n');
      for (const noise of NOISE) expect(run.stderr, noise).not.toContain(noise);
      expect(
        lines.filter((line) => !line.startsWith('round ')),
        'only progress lines',
      ).toEqual([]);
      const last = /(\d+)\/(\d+) folders/.exec(lines.at(-1) ?? '');
      expect(Number(last?.[1]), lines.at(-1)).toBe(summary.folders);
      expect(Number(last?.[2]), lines.at(-1)).toBe(summary.folders);
    },
    TIMEOUT_MS,
  );

  it('exits non-zero within seconds, with everything stopped, when DynamoDB Local cannot start', async () => {
    // No java under JAVA_HOME: the check before DynamoDB Local starts fails, while the simulator
    // (started beside it) is already listening and must be closed for the process to end.
    const noJava = mkdtempSync(join(tmpdir(), 'no-java-'));
    const run = await npmStart(['--json'], { ...process.env, JAVA_HOME: noJava }, 60_000);
    expect(run.code, run.stderr.slice(-2000)).toBe(1);
    expect(run.stderr).toContain('DynamoDB Local needs Java 17+');
    expect(run.stdout).toBe('');
  }, 120_000);
});
