import { describe, expect, it } from 'vitest';
import { MailSourceError } from '../../core/errors.js';
import type { Mailbox } from '../../core/model.js';
import type { EwsCredentials } from '../../ews/auth/types.js';
import { EwsError, type EwsErrorKind } from '../../ews/errors.js';
import { fixture } from '../../ews/testing/fixtures.js';
import { parseXml } from '../../ews/xml/parse-xml.js';
import { toMailSourceError } from './error-mapping.js';
import { EwsMailSource } from './mail-source.js';

const ENDPOINT = 'https://ews.example/EWS/Exchange.asmx';
const mailbox: Mailbox = {
  mailboxId: 'alfred@contoso.com',
  source: { kind: 'ews', smtpAddress: 'Alfred@contoso.com', endpoint: ENDPOINT },
  credentialsRef: 'exchange-sync/tenant-a',
  folderFilter: {},
  pageSize: 200,
  properties: ['subject', 'receivedAt'],
  maxConcurrentSyncs: 4,
  status: 'enabled',
  createdAt: 0,
  updatedAt: 0,
};

const withEndpoint = (endpoint: string): Mailbox => ({
  ...mailbox,
  source: { kind: 'ews', smtpAddress: 'Alfred@contoso.com', endpoint },
});

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: string;
}

type Reply = Response | (() => Response) | Error;

/** A fetch that answers from a script: the transport is tested in test/ews/client.test.ts. */
function scriptedFetch(...replies: Reply[]) {
  const sent: Sent[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    sent.push({
      url: String(input),
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: String(init?.body ?? ''),
    });
    const reply = replies.shift();
    if (reply === undefined) throw new Error('unexpected request');
    if (reply instanceof Error) throw reply;
    return typeof reply === 'function' ? reply() : reply;
  }) as typeof fetch;
  return { fetch: fetchFn, sent };
}

const xml = (body: string, status = 200, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { 'content-type': 'text/xml', ...headers } });

const basic: EwsCredentials = {
  type: 'basic',
  username: 'svc',
  password: 'pw',
  allowedHosts: ['ews.example'],
};

/** Resolved credentials that never expire, at version v1: rotation is tested in test/ews/. */
function source(replies: Reply[], resolve: (ref: string) => Promise<EwsCredentials> = async () => basic) {
  const scripted = scriptedFetch(...replies);
  const calls: string[] = [];
  const mailSource = new EwsMailSource(
    async (ref, options) => {
      calls.push(options?.fresh ? `${ref} (fresh)` : ref);
      return { credentials: await resolve(ref), version: 'v1', expiresAt: Number.POSITIVE_INFINITY };
    },
    { fetch: scripted.fetch },
  );
  return { mailSource, sent: scripted.sent, resolverCalls: calls };
}

async function failure(promise: Promise<unknown>): Promise<MailSourceError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MailSourceError);
    return error as MailSourceError;
  }
  throw new Error('expected a MailSourceError');
}

const syncItems = (mailSource: EwsMailSource, folderId = 'AAMkFolder=', syncState?: string) =>
  mailSource.syncItems({ mailbox, folderId, syncState, requestId: 'job-1' });

describe('EwsMailSource.syncItems', () => {
  it('asks for IdOnly plus the FieldURIs of the mailbox properties and IsRead, one page of pageSize', async () => {
    const { mailSource, sent } = source([
      xml(fixture('msdocs-howto-sfi-response-incremental-create-update-delete-readflag.xml')),
    ]);
    const page = await syncItems(mailSource, 'AAMkFolder=', 'S0');
    expect(page.syncState).toBe('H4sIAAAAAAAEAO29B2AcSZY==');
    expect(page.changes.map((c) => [c.kind, c.itemId])).toEqual([
      ['update', 'q04QAAAA=='],
      ['create', 'AQMkAD+'],
      ['create', 'Q04AAAAA=='],
      ['readFlagChange', ' q07AAAAA=='],
      ['delete', ' q1AwAAAA=='],
    ]);
    const request = sent[0]!;
    expect(request.url).toBe(ENDPOINT);
    expect(request.headers['x-anchormailbox']).toBe('Alfred@contoso.com');
    expect(request.headers['client-request-id']).toBe('job-1');
    const envelope = parseXml(request.body);
    const op = envelope.child('Body')!.child('SyncFolderItems')!;
    expect(op.child('ItemShape')!.childText('BaseShape')).toBe('IdOnly');
    expect(
      op
        .child('ItemShape')!
        .child('AdditionalProperties')!
        .children!.map((c) => c.attr('FieldURI')),
    ).toEqual(['item:Subject', 'item:DateTimeReceived', 'message:IsRead']);
    expect(op.child('SyncFolderId')!.child('FolderId')!.attr('Id')).toBe('AAMkFolder=');
    expect(op.childText('SyncState')).toBe('S0');
    expect(op.childText('MaxChangesReturned')).toBe('200');
    expect(
      envelope
        .child('Header')!
        .child('ExchangeImpersonation')!
        .child('ConnectingSID')!
        .childText('SmtpAddress'),
    ).toBe('Alfred@contoso.com');
  });

  it('syncs a distinguished folder by name and sends no SyncState on the first page', async () => {
    const { mailSource, sent } = source([
      xml(fixture('garethp-o365-sfi-response-empty-changes-selfclosing.xml')),
    ]);
    await syncItems(mailSource, 'inbox');
    const op = parseXml(sent[0]!.body).child('Body')!.child('SyncFolderItems')!;
    expect(op.child('SyncFolderId')!.child('DistinguishedFolderId')!.attr('Id')).toBe('inbox');
    expect(op.child('SyncState')).toBeUndefined();
  });

  it.each([
    [
      'msdocs-sfi-response-error-invalidsyncstatedata.xml',
      200,
      'invalidSyncState',
      'ErrorInvalidSyncStateData',
      undefined,
    ],
    ['ewsrs-sfi-response-error-serverbusy-backoff-messagexml.xml', 200, 'throttled', 'ErrorServerBusy', 5000],
    ['exchangelib-soapfault-errorserverbusy-backoff-297749.xml', 500, 'throttled', 'ErrorServerBusy', 297749],
    [
      'evolution-ex2010sp2-http500-soapfault-errorschemavalidation-a-prefix.xml',
      500,
      'protocol',
      'ErrorSchemaValidation',
      undefined,
    ],
    ['msdocs-getitem-response-email-message.xml', 200, 'protocol', 'ProtocolError', undefined],
    ['msdocs-soapfault-client-accessdenied-faultactor.xml', 500, 'transient', 'Client', undefined],
  ])('maps %s (HTTP %s) to %s', async (name, status, kind, code, retryAfterMs) => {
    const { mailSource } = source([xml(fixture(name), status)]);
    const error = await failure(syncItems(mailSource, 'AAMkFolder=', 'S0'));
    expect(error).toMatchObject({ kind, code, retryAfterMs });
    expect(error.cause).toBeInstanceOf(EwsError);
  });

  it('never yields the empty SyncState of an error response', async () => {
    // Error responses carry <m:SyncState/> and IncludesLastItemInRange=true (fixtures quirk 10).
    const { mailSource } = source([xml(fixture('msdocs-sfi-response-error-invalidsyncstatedata.xml'))]);
    await expect(syncItems(mailSource)).rejects.toBeInstanceOf(MailSourceError);
    const forged = fixture('garethp-o365-sfi-response-empty-changes-selfclosing.xml').replace(
      /<m:SyncState>[^<]*<\/m:SyncState>/,
      '<m:SyncState></m:SyncState>',
    );
    const empty = source([xml(forged)]);
    expect(await failure(syncItems(empty.mailSource))).toMatchObject({ kind: 'protocol' });
  });

  it('maps a vanished sync folder, a missing mailbox and an unknown code', async () => {
    const message = (code: string) =>
      `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:SyncFolderItemsResponse xmlns:m="m"><m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass="Error"><m:MessageText>x</m:MessageText><m:ResponseCode>${code}</m:ResponseCode><m:SyncState/><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse></s:Body></s:Envelope>`;
    for (const [code, kind] of [
      ['ErrorSyncFolderNotFound', 'folderNotFound'],
      ['ErrorFolderNotFound', 'folderNotFound'],
      ['ErrorItemNotFound', 'folderNotFound'],
      ['ErrorNonExistentMailbox', 'permanent'],
      ['ErrorImpersonateUserDenied', 'permanent'],
      ['ErrorMailboxMoveInProgress', 'transient'],
      ['ErrorBrandNew', 'transient'],
    ] as const) {
      const { mailSource } = source([xml(message(code))]);
      expect(await failure(syncItems(mailSource))).toMatchObject({ kind, code });
    }
  });

  it('maps HTTP throttling, network failures and a bad page size', async () => {
    const throttled = source([xml('', 503, { 'retry-after': '30' })]);
    expect(await failure(syncItems(throttled.mailSource))).toMatchObject({
      kind: 'throttled',
      code: 'HTTP_503',
      retryAfterMs: 30_000,
    });
    const reset = source([new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })]);
    expect(await failure(syncItems(reset.mailSource))).toMatchObject({
      kind: 'transient',
      code: 'NetworkError',
    });
    const { mailSource, sent } = source([]);
    const error = await failure(
      mailSource.syncItems({ mailbox: { ...mailbox, pageSize: 600 }, folderId: 'x', requestId: 'r' }),
    );
    expect(error).toMatchObject({ kind: 'permanent', code: 'InvalidRequest' });
    expect(sent).toHaveLength(0);
  });
});

describe('EwsMailSource credentials and clients', () => {
  it('resolves credentials once per endpoint and credentialsRef', async () => {
    const page = () => xml(fixture('garethp-o365-sfi-response-empty-changes-selfclosing.xml'));
    const { mailSource, resolverCalls } = source([page, page, page]);
    await syncItems(mailSource);
    await syncItems(mailSource);
    await mailSource.syncItems({
      mailbox: { ...mailbox, credentialsRef: 'other' },
      folderId: 'x',
      requestId: 'r',
    });
    expect(resolverCalls).toEqual(['exchange-sync/tenant-a', 'other']);
  });

  it('reuses one OAuth token across calls', async () => {
    const token = () =>
      new Response(JSON.stringify({ access_token: 'T', expires_in: 3600 }), {
        headers: { 'content-type': 'application/json' },
      });
    const page = () => xml(fixture('garethp-o365-sfi-response-empty-changes-selfclosing.xml'));
    const oauth: EwsCredentials = {
      type: 'oauth2',
      tenantId: 't',
      clientId: 'c',
      clientSecret: 'secret',
      tokenUrl: 'https://login.example/t/token',
      allowedHosts: ['ews.example'],
    };
    const { mailSource, sent } = source([token, page, page], async () => oauth);
    await syncItems(mailSource);
    await syncItems(mailSource);
    expect(sent.map((s) => s.url)).toEqual(['https://login.example/t/token', ENDPOINT, ENDPOINT]);
    expect(sent[2]!.headers.authorization).toBe('Bearer T');
  });

  it('reports missing credentials as auth, without caching the failure', async () => {
    let fail = true;
    const { mailSource, resolverCalls } = source(
      [xml(fixture('garethp-o365-sfi-response-empty-changes-selfclosing.xml'))],
      async () => {
        if (fail) throw new Error('ResourceNotFoundException: secret exchange-sync/tenant-a');
        return basic;
      },
    );
    expect(await failure(syncItems(mailSource))).toMatchObject({
      kind: 'auth',
      code: 'CredentialsUnavailable',
    });
    fail = false;
    await syncItems(mailSource);
    expect(resolverCalls).toHaveLength(2);
  });

  it('reads the secret past its cache after a rejection, and reports auth when it has not changed', async () => {
    const { mailSource, resolverCalls, sent } = source([
      new Response('', { status: 401, headers: { 'www-authenticate': 'Basic realm="x"' } }),
    ]);
    expect(await failure(syncItems(mailSource))).toMatchObject({ kind: 'auth', code: 'HTTP_401' });
    expect(resolverCalls).toEqual(['exchange-sync/tenant-a', 'exchange-sync/tenant-a (fresh)']);
    // The same version: nothing to retry with.
    expect(sent).toHaveLength(1);
  });

  it('refuses an endpoint host the secret does not list, before sending anything', async () => {
    const { mailSource, sent } = source([]);
    const error = await failure(
      mailSource.syncItems({
        mailbox: withEndpoint('https://collector.example/EWS/Exchange.asmx'),
        folderId: 'x',
        requestId: 'r',
      }),
    );
    expect(error).toMatchObject({ kind: 'permanent', code: 'EndpointNotAllowed' });
    expect(error.message).toContain('collector.example');
    expect(error.message).toContain('exchange-sync/tenant-a');
    expect(error.message).not.toContain('pw');
    expect(sent).toHaveLength(0);
  });

  it('refuses a plain-http endpoint unless allowed', async () => {
    const { mailSource } = source([]);
    const error = await failure(
      mailSource.syncItems({
        mailbox: withEndpoint('http://ews.example/EWS'),
        folderId: 'x',
        requestId: 'r',
      }),
    );
    expect(error).toMatchObject({ kind: 'permanent', code: 'InsecureEndpoint' });
  });
});

describe('EwsMailSource.syncHierarchy', () => {
  it('syncs from msgfolderroot with the folder properties and maps the changes', async () => {
    const { mailSource, sent } = source([
      xml(fixture('msdocs-howto-sfh-response-incremental-create-update-delete.xml')),
    ]);
    const page = await mailSource.syncHierarchy({ mailbox, syncState: 'H0', requestId: 'r' });
    expect(page).toEqual({
      syncState: 'H4sIAAA',
      more: false,
      changes: [
        {
          kind: 'update',
          folderId: 'AAMkADM=',
          changeKey: 'AQAAABY',
          folder: { displayName: 'Meeting Notes', kind: 'mail', parentFolderId: 'AQMkADMzADI1==' },
        },
        {
          kind: 'create',
          folderId: 'AAMkADMzM=',
          changeKey: 'AQAAABYAA',
          folder: { displayName: 'Schedules', kind: 'mail', parentFolderId: 'AQMkO67A==' },
        },
        { kind: 'delete', folderId: 'AAMkAD/AAA=', changeKey: 'AQAAAA==' },
      ],
    });
    const op = parseXml(sent[0]!.body).child('Body')!.child('SyncFolderHierarchy')!;
    expect(op.child('SyncFolderId')!.child('DistinguishedFolderId')!.attr('Id')).toBe('msgfolderroot');
    expect(
      op
        .child('FolderShape')!
        .child('AdditionalProperties')!
        .children!.map((c) => c.attr('FieldURI')),
    ).toEqual(['folder:DisplayName', 'folder:FolderClass', 'folder:ParentFolderId']);
    expect(op.childText('SyncState')).toBe('H0');
  });

  it('maps an invalid hierarchy sync state', async () => {
    const { mailSource } = source([xml(fixture('msdocs-sfh-response-error.xml'))]);
    expect(
      await failure(mailSource.syncHierarchy({ mailbox, syncState: 'x', requestId: 'r' })),
    ).toMatchObject({
      kind: 'invalidSyncState',
    });
  });
});

describe('EwsMailSource.resolveWellKnownFolders', () => {
  const getFolder = (...messages: string[]) =>
    xml(
      `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:GetFolderResponse xmlns:m="m" xmlns:t="t"><m:ResponseMessages>${messages.join('')}</m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>`,
    );
  const ok = (id: string) =>
    `<m:GetFolderResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Folders><t:Folder><t:FolderId Id="${id}" ChangeKey="k"/></t:Folder></m:Folders></m:GetFolderResponseMessage>`;
  const error = (code: string) =>
    `<m:GetFolderResponseMessage ResponseClass="Error"><m:MessageText>m</m:MessageText><m:ResponseCode>${code}</m:ResponseCode><m:MessageXml><t:Value Name="BackOffMilliseconds">900</t:Value></m:MessageXml><m:Folders/></m:GetFolderResponseMessage>`;

  it('maps names to ids, leaving out folders the mailbox does not have and names EWS does not know', async () => {
    const { mailSource, sent } = source([
      getFolder(ok('INBOX-ID'), error('ErrorFolderNotFound'), ok('SENT-ID')),
    ]);
    const resolved = await mailSource.resolveWellKnownFolders({
      mailbox,
      names: ['inbox', 'archiveinbox', 'nonsense', 'sentitems', 'inbox'],
      requestId: 'r',
    });
    expect(resolved).toEqual({ inbox: 'INBOX-ID', sentitems: 'SENT-ID' });
    const ids = parseXml(sent[0]!.body)
      .child('Body')!
      .child('GetFolder')!
      .child('FolderIds')!
      .children!.map((c) => c.attr('Id'));
    expect(ids).toEqual(['inbox', 'archiveinbox', 'sentitems']);
  });

  it('throws other per-folder errors, and asks nothing for an empty list', async () => {
    const { mailSource } = source([getFolder(ok('INBOX-ID'), error('ErrorServerBusy'))]);
    expect(
      await failure(
        mailSource.resolveWellKnownFolders({
          mailbox,
          names: ['inbox', 'drafts'],
          requestId: 'r',
        }),
      ),
    ).toMatchObject({ kind: 'throttled', code: 'ErrorServerBusy', retryAfterMs: 900 });
    const empty = source([]);
    expect(await empty.mailSource.resolveWellKnownFolders({ mailbox, names: [], requestId: 'r' })).toEqual(
      {},
    );
    expect(empty.sent).toHaveLength(0);
  });
});

describe('toMailSourceError', () => {
  it.each([
    ['throttled', 'throttled'],
    ['transient', 'transient'],
    ['invalidSyncState', 'invalidSyncState'],
    ['folderNotFound', 'folderNotFound'],
    ['auth', 'auth'],
    ['permanent', 'permanent'],
    ['protocol', 'protocol'],
    ['other', 'transient'],
  ] as const)('maps %s to %s, keeping code, message and back-off', (ewsKind: EwsErrorKind, kind) => {
    const mapped = toMailSourceError(new EwsError(ewsKind, 'Code', 'msg', { backOffMs: 42 }));
    expect(mapped).toMatchObject({ kind, code: 'Code', message: 'msg', retryAfterMs: 42 });
  });

  it('passes MailSourceErrors through and wraps anything else as protocol', () => {
    const original = new MailSourceError('auth', 'X', 'y');
    expect(toMailSourceError(original)).toBe(original);
    expect(toMailSourceError(new TypeError('boom'))).toMatchObject({
      kind: 'protocol',
      code: 'UnexpectedError',
    });
  });
});
