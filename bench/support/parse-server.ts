// A loopback HTTP server that answers every POST with the current page (chunked, like O365).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PageServer {
  url: string;
  serve(xml: string): void;
  close(): Promise<void>;
}

export async function startPageServer(): Promise<PageServer> {
  let body = Buffer.alloc(0);
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/EWS/Exchange.asmx`,
    serve(xml) {
      body = Buffer.from(xml, 'utf8');
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
