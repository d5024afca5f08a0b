// One DynamoDB Local and one fauxqs for the whole test run, started when the first test file asks
// for them (a run of unit tests alone never starts a JVM) and stopped when the run ends.
//
// The runner's main process serves a small broker on loopback and hands its URL to the test
// files (`inject('localAwsBroker')`); test/support/local-aws.ts asks it for the endpoints. Every
// test file still gets tables, queues and buckets of its own (unique names), so sharing the
// stand-ins shares no data. Neither stand-in can outlive the run: Java runs under the watchdog of
// local/dynamodb-local.ts and fauxqs in a child that ends when its stdin closes, and both pipes
// are held by this process.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The broker of the run's shared DynamoDB Local and fauxqs; absent without this setup. */
    localAwsBroker?: string;
  }
}

/** What the broker answers on `/local-aws` (both) and `/sqs` (fauxqs alone). */
export interface SharedEndpoints {
  dynamodb?: string;
  sqs: string;
}

/** Bounds, not waits: a cold JVM on a loaded 2-core machine can take a minute to answer. */
const DYNAMODB_START_TIMEOUT_MS = 150_000;
const SQS_START_TIMEOUT_MS = 60_000;

interface Running<T> {
  value: T;
  stop(): Promise<void>;
}

/** Started on first use; a failed start is forgotten so the next test file tries again. */
class Lazy<T> {
  private starting: Promise<Running<T>> | undefined;
  constructor(private readonly start: () => Promise<Running<T>>) {}

  get(): Promise<Running<T>> {
    this.starting ??= this.start().catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  async stop(): Promise<void> {
    const running = await this.starting?.catch(() => undefined);
    this.starting = undefined;
    await running?.stop();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamodb = new Lazy<DynamoDbLocal>(async () => {
    const db = await startDynamoDbLocal({ startTimeoutMs: DYNAMODB_START_TIMEOUT_MS });
    return { value: db, stop: () => db.stop() };
  });
  const sqs = new Lazy<string>(startSqsEmulatorProcess);

  const server = createServer((request, response) => {
    const answer = async (): Promise<SharedEndpoints> => {
      if (request.url === '/sqs') return { sqs: (await sqs.get()).value };
      if (request.url === '/local-aws') {
        const [db, queue] = await Promise.all([dynamodb.get(), sqs.get()]);
        return { dynamodb: db.value.endpoint, sqs: queue.value };
      }
      throw new Error(`unknown request ${request.url}`);
    };
    answer().then(
      (endpoints) => reply(response, 200, endpoints),
      (error: unknown) =>
        reply(response, 500, { error: error instanceof Error ? error.message : String(error) }),
    );
  });
  // A start may take minutes under load: the broker never times a request out itself.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  project.provide('localAwsBroker', `http://127.0.0.1:${port}`);

  return async () => {
    server.close();
    server.closeAllConnections();
    await Promise.allSettled([dynamodb.stop(), sqs.stop()]);
  };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

const SQS_PROCESS = fileURLToPath(new URL('./sqs-emulator-process.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** fauxqs in a child process (test/support/sqs-emulator-process.ts); its endpoint once it listens. */
async function startSqsEmulatorProcess(): Promise<Running<string>> {
  const child = spawn(process.execPath, ['--import', 'tsx', SQS_PROCESS], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // The pipe is the child's lifeline: a write error must never crash the runner.
  child.stdin?.on('error', () => {});
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString('utf8')).slice(-4000);
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.stdin?.end();
    await exited;
  };
  try {
    const endpoint = await firstLine(child, SQS_START_TIMEOUT_MS);
    return { value: (JSON.parse(endpoint) as { endpoint: string }).endpoint, stop };
  } catch (error) {
    await stop();
    throw new Error(`fauxqs did not start: ${(error as Error).message}\n${errors}`);
  }
}

/** The child's first line of output, polled until it comes, the child exits or `timeoutMs` passes. */
function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => done(new Error(`no endpoint within ${timeoutMs / 1000} s`)), timeoutMs);
    const onExit = (code: number | null) => done(new Error(`exited with ${code}`));
    const done = (error: Error | undefined, line?: string) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.close();
      // Anything it prints later is drained, so a full pipe can never block it.
      child.stdout?.resume();
      if (error) reject(error);
      else resolve(line!);
    };
    lines.once('line', (line) => done(undefined, line));
    child.once('exit', onExit);
  });
}
