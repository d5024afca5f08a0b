// The HTTP listener: EWS at /EWS/Exchange.asmx, Microsoft Graph at /v1.0/ and
// /{tenant}/oauth2/v2.0/token (graph/), the admin API under /_sim/, loopback only by
// default. startSimulator is the in-process entry point for tests, the local run and the CLI.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin.js';
import { isGraphPath } from './graph/api.js';
import { Simulator, type SimulatorOptions } from './simulator.js';

export interface StartSimulatorOptions extends SimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Largest request body accepted, in bytes. */
  maxRequestBytes?: number;
}

export interface RunningSimulator {
  sim: Simulator;
  /** http://127.0.0.1:port/EWS/Exchange.asmx */
  url: string;
  /** http://127.0.0.1:port/_sim */
  adminUrl: string;
  port: number;
  username: string;
  password: string;
  bearerTokens: string[];
  /** Microsoft Graph on the same port: app registration for the client-credentials flow. */
  graph: {
    /** http://127.0.0.1:port/v1.0 */
    baseUrl: string;
    tenantId: string;
    clientId: string;
    clientSecret: string;
    /** http://127.0.0.1:port/{tenantId}/oauth2/v2.0/token */
    tokenUrl: string;
  };
  close(): Promise<void>;
}

const EWS_PATH = '/ews/exchange.asmx';

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function write(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, { ...headers, 'Content-Length': String(bytes.length) });
  res.end(bytes);
}

async function handle(
  sim: Simulator,
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const body = await readBody(req, maxBytes);
  if (body === undefined) {
    res.writeHead(413).end();
    return;
  }
  if (url.pathname.startsWith('/_sim/') || url.pathname === '/_sim') {
    handleAdmin(sim, req, res, url, body);
    return;
  }
  if (isGraphPath(url.pathname)) {
    const answer = await sim.graph.handle({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body,
    });
    if (answer.kind === 'drop') req.socket.destroy();
    else write(res, answer.status, answer.headers, answer.body);
    return;
  }
  if (url.pathname.toLowerCase() !== EWS_PATH) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { Allow: 'POST' }).end();
    return;
  }
  const answer = await sim.handleEws({ body, headers: req.headers });
  if (answer.kind === 'drop') {
    req.socket.destroy();
    return;
  }
  const bytes = Buffer.from(answer.body, 'utf8');
  res.writeHead(answer.status, { ...answer.headers, 'Content-Length': String(bytes.length) });
  if (answer.kind === 'cut') {
    res.write(bytes.subarray(0, bytes.length >> 1), () => req.socket.destroy());
    return;
  }
  res.end(bytes);
}

export async function startSimulator(options: StartSimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = new Simulator(options);
  const maxBytes = options.maxRequestBytes ?? 4 * 1024 * 1024;
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((req, res) => {
    handle(sim, req, res, maxBytes).catch((error: unknown) => {
      // A bug in the simulator: answer 500 without leaking details to the client.
      console.error('simulator: unhandled error', error instanceof Error ? error.stack : error);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('simulator error');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    sim,
    url: `${base}/EWS/Exchange.asmx`,
    adminUrl: `${base}/_sim`,
    port,
    username: sim.username,
    password: sim.password,
    bearerTokens: sim.bearerTokens,
    graph: {
      baseUrl: `${base}/v1.0`,
      ...sim.graph.credentials,
      tokenUrl: `${base}/${sim.graph.credentials.tenantId}/oauth2/v2.0/token`,
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
