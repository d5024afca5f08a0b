import { createServer } from 'node:net';

/**
 * Asks the OS for a port that is free right now. Needed where a server rejects port 0
 * (DynamoDB Local). Listens on all interfaces because that is where such servers bind.
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
