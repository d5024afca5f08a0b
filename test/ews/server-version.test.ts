// RequestServerVersion fallback over loopback HTTP: a server that does not know the version sent
// (Exchange 2010 on premises, which answers ErrorInvalidServerVersion to Exchange2013_SP1), or
// that needs a newer one (ErrorIncorrectSchemaVersion), gets the request again with the next
// version, and the client keeps the one accepted.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixture } from '../../lib/ews/testing/fixtures.js';
import { clientFor, MAILBOX, rejection, SYNC } from './client-fixtures.js';
import { type LocalServer, startLocalServer } from './local-server.js';

const PAGE = fixture('garethp-o365-sfi-response-empty-changes-selfclosing.xml');

/** The SOAP fault Exchange answers with HTTP 500 (the shape of the fixtures' faults). */
const fault = (code: string) =>
  `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>` +
  `<s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:${code}</faultcode>` +
  `<faultstring xml:lang="en-US">The specified server version is invalid.</faultstring>` +
  `<detail><e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">${code}</e:ResponseCode>` +
  `<e:Message xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">The specified server version is invalid.</e:Message>` +
  `</detail></s:Fault></s:Body></s:Envelope>`;

const versionOf = (body: string) => /RequestServerVersion Version="([^"]+)"/.exec(body)?.[1];

let server: LocalServer;
beforeAll(async () => {
  server = await startLocalServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

/** A server that accepts exactly `accepted`, and answers `code` to any other version. */
function serveOnly(accepted: readonly string[], code: string) {
  server.handle((req, res) => {
    res.setHeader('content-type', 'text/xml; charset=utf-8');
    if (accepted.includes(versionOf(req.body) ?? '')) {
      res.end(PAGE);
      return;
    }
    res.statusCode = 500;
    res.end(fault(code));
  });
}

describe('RequestServerVersion fallback', () => {
  it('steps down for a server that does not know the version, and keeps the one it accepts', async () => {
    serveOnly(['Exchange2007_SP1', 'Exchange2010'], 'ErrorInvalidServerVersion');
    const client = clientFor(server.url);
    await client.syncFolderItems(SYNC, { mailbox: MAILBOX });
    await client.syncFolderItems(SYNC, { mailbox: MAILBOX });
    expect(server.requests.map((r) => versionOf(r.body))).toEqual([
      'Exchange2013_SP1',
      'Exchange2010_SP2',
      'Exchange2010',
      'Exchange2010',
    ]);
  });

  it('steps up for a request the server needs a newer version for', async () => {
    serveOnly(['Exchange2016'], 'ErrorIncorrectSchemaVersion');
    await clientFor(server.url).syncFolderItems(SYNC, { mailbox: MAILBOX });
    expect(server.requests.map((r) => versionOf(r.body))).toEqual(['Exchange2013_SP1', 'Exchange2016']);
  });

  it("gives up at the end of the ladder with the server's code, never going back and forth", async () => {
    serveOnly([], 'ErrorInvalidServerVersion');
    const error = await rejection(clientFor(server.url).syncFolderItems(SYNC, { mailbox: MAILBOX }));
    expect(error).toMatchObject({ kind: 'protocol', code: 'ErrorInvalidServerVersion' });
    expect(server.requests.map((r) => versionOf(r.body))).toEqual([
      'Exchange2013_SP1',
      'Exchange2010_SP2',
      'Exchange2010',
      'Exchange2007_SP1',
    ]);
  });
});
