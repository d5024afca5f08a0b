// The simulator in its own process, started through the CLI (`exchange-sync simulator`), as a
// real Exchange server would be another machine: its CPU (building pages) then no longer
// competes with the engine's event loop, which would otherwise count as our overhead. Ground
// truth comes back through the admin API.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { SimulatorTruth } from '../../cli/local/pipeline.js';
import type { GroundTruthItem, GroundTruthMailbox } from '../../simulator/index.js';

export interface SimulatorProcess {
  url: string;
  username: string;
  password: string;
  /** Ground truth as read when the process became ready (the bench does not mutate). */
  sim: SimulatorTruth;
  close(): Promise<void>;
}

export interface SimulatorProcessOptions {
  seed: number;
  mailboxes: number;
  foldersPerMailbox: number;
  itemsPerMailbox: number;
  latencyMs: number;
  username: string;
  password: string;
}

const CLI = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));

function readLines(child: ChildProcess, want: string[], timeoutMs: number): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const found = new Map<string, string>();
    let buffer = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the simulator process did not print ${want.join(', ')} within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`the simulator process ended before printing ${want.join(', ')}`));
    });
    // Keep reading to the end, so the child never writes into a closed pipe.
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (found.size === want.length) return;
      buffer += chunk;
      for (const key of want) {
        const match = new RegExp(`^${key}\\s+(\\S+)`, 'm').exec(buffer);
        if (match) found.set(key, match[1]!);
      }
      if (found.size === want.length) {
        clearTimeout(timer);
        resolve(found);
      }
    });
  });
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

export async function startSimulatorProcess(options: SimulatorProcessOptions): Promise<SimulatorProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      CLI,
      'simulator',
      '--port',
      '0',
      '--seed',
      String(options.seed),
      '--mailboxes',
      String(options.mailboxes),
      '--folders',
      String(options.foldersPerMailbox),
      '--items',
      String(options.itemsPerMailbox),
      '--latency',
      String(options.latencyMs),
      '--username',
      options.username,
      '--password',
      options.password,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const lines = await readLines(child, ['EWS endpoint:', 'Admin API:'], 60_000);
    const adminMailboxes = lines.get('Admin API:')!;
    const truth = await getJson<GroundTruthMailbox[]>(adminMailboxes);
    const items = new Map<string, GroundTruthItem[]>();
    for (const mailbox of truth) {
      for (const folder of mailbox.folders) {
        const url = `${adminMailboxes}/${encodeURIComponent(mailbox.smtp)}/folders/${encodeURIComponent(folder.id)}/items`;
        items.set(`${mailbox.smtp}|${folder.id}`, await getJson<GroundTruthItem[]>(url));
      }
    }
    return {
      url: lines.get('EWS endpoint:')!,
      username: options.username,
      password: options.password,
      sim: {
        groundTruth: () => truth,
        items: (smtp, folderId) => items.get(`${smtp}|${folderId}`) ?? [],
      },
      async close() {
        if (child.exitCode !== null) return;
        child.kill('SIGTERM');
        await once(child, 'exit');
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}
