import { type FauxqsServer, startFauxqs } from 'fauxqs';

export interface SqsEmulator {
  /** Serves SQS and S3 (path-style). */
  endpoint: string;
  server: FauxqsServer;
  stop(): Promise<void>;
}

/**
 * fauxqs in-process on a free port: SQS for the work queue, S3 for the state bucket. Queue URLs
 * take the host of the request that created the queue, so they point back at this endpoint.
 */
export async function startSqsEmulator(): Promise<SqsEmulator> {
  const server = await startFauxqs({ port: 0, logger: false });
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    server,
    stop: () => server.stop(),
  };
}
