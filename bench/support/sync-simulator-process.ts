// The simulator in its own process, started through the CLI (`exchange-sync simulator`), as a
// real Exchange server would be another machine: its CPU (building pages) then no longer
// competes with the engine's event loop, which would otherwise count as our overhead. Ground
// truth comes back through the admin API.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { SimulatorTruth } from '../../cli/local/pipeline.js';
import type { GraphMailboxTruth } from '../../simulator/graph/truth.js';
import type { GroundTruthItem, GroundTruthMailbox, RunningSimulator } from '../../simulator/index.js';
import type { StatsSnapshot } from '../../simulator/stats.js';

export interface SimulatorProcess {
  url: string;
  username: string;
  password: string;
  /** Microsoft Graph on the same port, as `exchange-sync simulator` prints it. */
  graph: RunningSimulator['graph'];
  /** Ground truth (EWS and Graph) as read when the process became ready (the bench does not mutate). */
  sim: SimulatorTruth;
  /** The simulator's request statistics since the last call (each call resets them). */
  takeStats(): Promise<StatsSnapshot>;
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
        const match = new RegExp(`^${key}\\s+(\\S[^\\n]*?)\\s*\\n`, 'm').exec(buffer);
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
      '--folders-per-mailbox',
      String(options.foldersPerMailbox),
      '--items-per-mailbox',
      String(options.itemsPerMailbox),
      '--latency-ms',
      String(options.latencyMs),
      '--username',
      options.username,
      '--password',
      options.password,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const lines = await readLines(
      child,
      ['EWS endpoint:', 'Admin API:', 'Graph base:', 'Graph token:', 'Graph tenant:', 'Graph client:'],
      60_000,
    );
    const adminMailboxes = lines.get('Admin API:')!;
    const truth = await getJson<GroundTruthMailbox[]>(adminMailboxes);
    const items = new Map<string, GroundTruthItem[]>();
    const graphTruth = new Map<string, GraphMailboxTruth>();
    const adminGraph = adminMailboxes.replace(/\/mailboxes$/, '/graph/mailboxes');
    for (const mailbox of truth) {
      for (const folder of mailbox.folders) {
        const url = `${adminMailboxes}/${encodeURIComponent(mailbox.smtp)}/folders/${encodeURIComponent(folder.id)}/items`;
        items.set(`${mailbox.smtp}|${folder.id}`, await getJson<GroundTruthItem[]>(url));
      }
      const graph = await getJson<GraphMailboxTruth>(`${adminGraph}/${encodeURIComponent(mailbox.smtp)}`);
      graphTruth.set(mailbox.smtp.toLowerCase(), graph);
    }
    // "Graph client:  <id> / <secret>"
    const [clientId, clientSecret] = lines.get('Graph client:')!.split(' / ');
    return {
      url: lines.get('EWS endpoint:')!,
      graph: {
        baseUrl: lines.get('Graph base:')!,
        tokenUrl: lines.get('Graph token:')!,
        tenantId: lines.get('Graph tenant:')!,
        clientId: clientId!,
        clientSecret: clientSecret!,
      },
      username: options.username,
      password: options.password,
      sim: {
        groundTruth: () => truth,
        items: (smtp, folderId) => items.get(`${smtp}|${folderId}`) ?? [],
        graphMailboxTruth: (smtp) => {
          const graph = graphTruth.get(smtp.toLowerCase());
          if (graph === undefined) throw new Error(`the simulator has no Graph mailbox ${smtp}`);
          return graph;
        },
      },
      async takeStats() {
        const admin = adminMailboxes.replace(/\/mailboxes$/, '');
        const stats = await getJson<StatsSnapshot>(`${admin}/stats`);
        const reset = await fetch(`${admin}/stats/reset`, { method: 'POST' });
        if (!reset.ok) throw new Error(`POST ${admin}/stats/reset: HTTP ${reset.status}`);
        return stats;
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
