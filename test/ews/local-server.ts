// A loopback HTTP server for EwsClient tests: each request goes to the current handler, and every
// request (method, url, headers, body) is recorded.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Which TCP connection carried it (1, 2, ...). */
  connection: number;
}

export type Handler = (request: RecordedRequest, res: ServerResponse, raw: IncomingMessage) => void;

export interface LocalServer {
  url: string;
  requests: RecordedRequest[];
  connections: () => number;
  handle: (handler: Handler) => void;
  close: () => Promise<void>;
}

export async function startLocalServer(): Promise<LocalServer> {
  let handler: Handler = (_req, res) => {
    res.statusCode = 500;
    res.end('no handler');
  };
  const requests: RecordedRequest[] = [];
  let connections = 0;
  const connectionIds = new WeakMap<object, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        connection: connectionIds.get(req.socket) ?? 0,
      };
      requests.push(recorded);
      handler(recorded, res, req);
    });
  });
  server.on('connection', (socket) => {
    connections++;
    connectionIds.set(socket, connections);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    handle: (next) => {
      handler = next;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
