// Shared setup of the GraphClient tests: a client against a loopback server's /v1.0 and a token
// provider that counts what it hands out.
import type { LoopbackServer } from '../../http/testing/loopback-server.js';
import { GraphClient } from '../client.js';
import type { GraphAuth, GraphClientOptions } from '../types.js';

/** Hands out `Bearer token-1`, then `token-2` after each invalidate(). */
export class CountingAuth implements GraphAuth {
  generation = 1;
  invalidations: (string | undefined)[] = [];

  async authorization(): Promise<string> {
    return `Bearer token-${this.generation}`;
  }

  invalidate(rejectedAuthorization?: string): void {
    this.invalidations.push(rejectedAuthorization);
    this.generation++;
  }
}

export const CTX = { requestId: 'req-1' };
export const USER = 'alice@contoso.com';

export function clientFor(server: LoopbackServer, options: Partial<GraphClientOptions> = {}): GraphClient {
  return new GraphClient({
    baseUrl: `${server.url}/v1.0`,
    auth: new CountingAuth(),
    allowInsecureHttp: true,
    ...options,
  });
}
