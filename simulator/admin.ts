// The admin API under /_sim/ (JSON, no EWS auth; the server listens on loopback only).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { simulatorConfigPatchSchema } from './config.js';
import { SimulatorMutationError } from './mailbox.js';
import { type Simulator, SimulatorNotFoundError } from './simulator.js';

const mutateSchema = z.object({
  count: z.number().int().min(0).max(100_000),
  seed: z.number().int(),
  mailboxes: z.array(z.string()).optional(),
});
const invalidateSchema = z.object({ mailbox: z.string().optional() });

class AdminRequestError extends Error {
  override readonly name = 'AdminRequestError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function parseJson<T>(body: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    throw new AdminRequestError(400, 'body is not JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AdminRequestError(400, z.prettifyError(parsed.error));
  return parsed.data;
}

export function handleAdmin(
  sim: Simulator,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: string,
): void {
  try {
    send(res, 200, route(sim, req.method ?? 'GET', url, body));
  } catch (error) {
    if (error instanceof AdminRequestError) send(res, error.status, { error: error.message });
    else if (error instanceof SimulatorNotFoundError) send(res, 404, { error: error.message });
    else if (error instanceof SimulatorMutationError) send(res, 409, { error: error.message });
    else throw error;
  }
}

function route(sim: Simulator, method: string, url: URL, body: string): unknown {
  const path = url.pathname.replace(/\/+$/, '');
  const items = /^\/_sim\/mailboxes\/([^/]+)\/folders\/([^/]+)\/items$/.exec(path);
  if (method === 'GET' && path === '/_sim/mailboxes') return sim.groundTruth();
  if (method === 'GET' && items) {
    return sim.items(decodeURIComponent(items[1]!), decodeURIComponent(items[2]!), {
      includeAssociated: url.searchParams.get('associated') === 'true',
    });
  }
  const graph = graphRoute(sim, method, path);
  if (graph !== undefined) return graph;
  if (method === 'POST' && path === '/_sim/mutate') {
    const { count, seed, mailboxes } = parseJson(body, mutateSchema);
    const applied = sim.mutate({ count, seed, ...(mailboxes ? { mailboxes } : {}) });
    return { applied: applied.length, mutations: applied };
  }
  if (method === 'GET' && path === '/_sim/config') return sim.config;
  if (method === 'PUT' && path === '/_sim/config')
    return sim.configure(parseJson(body, simulatorConfigPatchSchema));
  if (method === 'GET' && path === '/_sim/stats') return sim.stats.snapshot();
  if (method === 'POST' && path === '/_sim/stats/reset') {
    sim.stats.reset();
    return sim.stats.snapshot();
  }
  if (method === 'GET' && path === '/_sim/requests') {
    return sim.stats.requestLog(url.searchParams.get('mailbox') ?? undefined);
  }
  if (method === 'POST' && path === '/_sim/invalidate-sync-states') {
    const { mailbox } = parseJson(body, invalidateSchema);
    sim.invalidateSyncStates(mailbox);
    return { invalidated: mailbox ?? 'all' };
  }
  throw new AdminRequestError(404, `no admin route ${method} ${path}`);
}

/** Graph ground truth: GET /_sim/graph/mailboxes[/:smtp[/folders/:folderId/items]] */
function graphRoute(sim: Simulator, method: string, path: string): unknown {
  if (method !== 'GET' || !path.startsWith('/_sim/graph/')) return undefined;
  if (path === '/_sim/graph/mailboxes') return sim.graphGroundTruth();
  const mailbox = /^\/_sim\/graph\/mailboxes\/([^/]+)$/.exec(path);
  if (mailbox) return sim.graphMailboxTruth(decodeURIComponent(mailbox[1]!));
  const items = /^\/_sim\/graph\/mailboxes\/([^/]+)\/folders\/([^/]+)\/items$/.exec(path);
  if (items) return sim.graphItems(decodeURIComponent(items[1]!), decodeURIComponent(items[2]!));
  return undefined;
}
