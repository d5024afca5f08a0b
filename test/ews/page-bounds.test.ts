// Pages are bounded by change count and element count, not only bytes, and the byte cap is close to
// real page sizes (the largest real page measured is 1.7 MB); over real loopback HTTP.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EwsClientOptions } from '../../lib/ews/client.js';
import { fixture } from '../../lib/ews/testing/fixtures.js';
import { clientFor, MAILBOX, rejection } from './client-fixtures.js';
import { type LocalServer, startLocalServer } from './local-server.js';

let server: LocalServer;
beforeAll(async () => {
  server = await startLocalServer();
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
});

/** Five changes: Update, Create, Create, ReadFlagChange, Delete. */
const PAGE = fixture('msdocs-howto-sfi-response-incremental-create-update-delete-readflag.xml');
const sync = (maxChangesReturned: number) => ({
  folder: { distinguishedId: 'inbox' as const },
  shape: { baseShape: 'IdOnly' as const },
  maxChangesReturned,
});

const client = (options: Partial<EwsClientOptions> = {}) => clientFor(server.url, options);

describe('EwsClient page bounds', () => {
  it('refuses a SyncFolderItems answer with more changes than MaxChangesReturned', async () => {
    server.handle((_req, res) => res.end(PAGE));
    expect((await client().syncFolderItems(sync(5), { mailbox: MAILBOX })).changes).toHaveLength(5);
    const error = await rejection(client().syncFolderItems(sync(4), { mailbox: MAILBOX }));
    expect(error).toMatchObject({
      name: 'TooManyChangesError',
      kind: 'protocol',
      code: 'TooManyChanges',
      changes: 5,
      maxChanges: 4,
    });
    expect(error.message).toContain('more than the MaxChangesReturned of 4');
  });

  it('refuses an answer with more XML elements than maxElements', async () => {
    server.handle((_req, res) => res.end(PAGE));
    const error = await rejection(
      client({ maxElements: 20 }).syncFolderItems(sync(10), { mailbox: MAILBOX }),
    );
    expect(error).toMatchObject({ name: 'TooManyElementsError', kind: 'protocol', code: 'TooManyElements' });
    expect(error.message).toContain('more than 20 XML elements');
  });

  it('refuses a 9 MiB answer by default, naming the 8 MiB cap', async () => {
    // A valid page padded with trailing whitespace (which the reader accepts), streamed without a
    // Content-Length so that the cap is enforced while reading.
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write(PAGE);
      res.end(' '.repeat(9 * 1024 * 1024));
    });
    const error = await rejection(client().syncFolderItems(sync(10), { mailbox: MAILBOX }));
    expect(error).toMatchObject({ kind: 'protocol', code: 'ResponseTooLarge', limitBytes: 8 * 1024 * 1024 });
    expect(error.message).toContain('8388608-byte cap (maxResponseBytes, 8.0 MiB)');
    // Configurable: the same answer passes a larger cap.
    const page = await client({ maxResponseBytes: 10 * 1024 * 1024 }).syncFolderItems(sync(10), {
      mailbox: MAILBOX,
    });
    expect(page.changes).toHaveLength(5);
  });
});
