// Every error and fault the simulator produces, over real HTTP, read by the project's own parser.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildSyncFolderItemsRequest } from '../../lib/ews/index.js';
import { type RunningSimulator, startSimulator } from '../../simulator/server.js';
import { getFolders, getItems, postEws, rejection, syncHierarchy, syncItems } from './ews-http.js';

const USER1 = 'user1@contoso.test';
const USER2 = 'user2@contoso.test';
const ID_ONLY = { baseShape: 'IdOnly' } as const;
const TOKEN = 'token-for-tests';

let run: RunningSimulator;
beforeAll(async () => {
  run = await startSimulator({
    seed: 7,
    mailboxes: 3,
    foldersPerMailbox: 3,
    itemsPerMailbox: 120,
    bearerTokens: [TOKEN],
  });
});
afterAll(() => run.close());
beforeEach(() => {
  // Each test starts from the default behaviour.
  run.sim.configure({
    concurrentSyncCalls: 5,
    throttleFaultRatio: 0,
    requestsPerMinute: 0,
    impersonationDenied: [],
    latency: { fixedMs: 0, jitterMs: 0 },
    faults: { http503: 0, transient500: 0, truncate: 0, cutConnection: 0, drop: 0, controlChars: 0 },
  });
});

const inbox = (smtp = USER1, extra: Partial<Parameters<typeof syncItems>[1]> = {}) => ({
  folder: { distinguishedId: 'inbox' },
  shape: ID_ONLY,
  maxChangesReturned: 10,
  impersonateSmtpAddress: smtp,
  ...extra,
});

describe('authentication', () => {
  it('answers 401 with WWW-Authenticate when credentials are missing or wrong', async () => {
    const xml = buildSyncFolderItemsRequest(inbox());
    for (const authorization of [
      null,
      `Basic ${Buffer.from(`${run.username}:wrong`).toString('base64')}`,
      'Bearer nope',
    ]) {
      const answer = await postEws(run, xml, { authorization });
      expect(answer.status).toBe(401);
      const challenge = answer.headers.get('www-authenticate') ?? '';
      expect(challenge).toContain('Basic');
      expect(challenge).toContain('Bearer');
    }
    expect(
      (await postEws(run, xml, { authorization: 'Bearer nope' })).headers.get('x-ms-diagnostics'),
    ).toContain('invalid_token');
    expect(run.sim.stats.snapshot().unauthorized).toBeGreaterThanOrEqual(3);
  });

  it('accepts Basic and configured Bearer tokens', async () => {
    expect((await postEws(run, buildSyncFolderItemsRequest(inbox()))).status).toBe(200);
    expect(
      (await postEws(run, buildSyncFolderItemsRequest(inbox()), { authorization: `Bearer ${TOKEN}` })).status,
    ).toBe(200);
  });
});

describe('sync state errors', () => {
  it('rejects tampered, truncated and foreign states with ErrorInvalidSyncStateData', async () => {
    const first = await syncItems(run, inbox());
    const state = first.syncState;
    const bytes = Buffer.from(state, 'base64');
    bytes[4] = bytes[4]! ^ 0xff;
    const sent = await syncItems(run, { ...inbox(), folder: { distinguishedId: 'sentitems' } });
    const hierarchy = await syncHierarchy(run, {
      folder: { distinguishedId: 'msgfolderroot' },
      shape: ID_ONLY,
      impersonateSmtpAddress: USER1,
    });
    const other = await syncItems(run, inbox(USER2));
    const bad = [
      bytes.toString('base64'),
      state.slice(0, state.length - 8),
      sent.syncState,
      hierarchy.syncState,
      other.syncState,
    ];
    for (const syncState of bad) {
      const error = await rejection(syncItems(run, inbox(USER1, { syncState })));
      expect(error).toMatchObject({ code: 'ErrorInvalidSyncStateData', kind: 'invalidSyncState' });
    }
    // An items state used for the hierarchy is refused as well.
    const error = await rejection(
      syncHierarchy(run, {
        folder: { distinguishedId: 'msgfolderroot' },
        shape: ID_ONLY,
        impersonateSmtpAddress: USER1,
        syncState: state,
      }),
    );
    expect(error).toMatchObject({ code: 'ErrorInvalidSyncStateData' });
    // The wire shape: an empty SyncState and IncludesLastItemInRange=true, as real servers send.
    const raw = await postEws(run, buildSyncFolderItemsRequest(inbox(USER1, { syncState: sent.syncState })));
    expect(raw.status).toBe(200);
    expect(raw.body).toContain('ResponseClass="Error"><m:MessageText>');
    expect(raw.body).toContain('<m:SyncState/><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>');
  });

  it('rejects a scope change (NormalItems state used with NormalAndAssociatedItems)', async () => {
    const first = await syncItems(run, inbox());
    const error = await rejection(
      syncItems(run, inbox(USER1, { syncState: first.syncState, syncScope: 'NormalAndAssociatedItems' })),
    );
    expect(error).toMatchObject({ code: 'ErrorInvalidSyncStateData' });
  });

  it('invalidates every state of a mailbox after a simulated mailbox move', async () => {
    const first = await syncItems(run, inbox(USER2));
    run.sim.invalidateSyncStates(USER2);
    expect(await rejection(syncItems(run, inbox(USER2, { syncState: first.syncState })))).toMatchObject({
      code: 'ErrorInvalidSyncStateData',
    });
    const fresh = await syncItems(run, inbox(USER2));
    expect(fresh.changes.length).toBeGreaterThan(0);
  });
});

describe('folders, mailboxes and ids', () => {
  it('answers ErrorSyncFolderNotFound for a deleted folder, and GetFolder says ErrorItemNotFound', async () => {
    const mailbox = run.sim.mailbox(USER1);
    const folder = mailbox.createFolder(mailbox.distinguishedSerial('inbox')!, 'Doomed', 'IPF.Note');
    const id = folder.value.id;
    const first = await syncItems(run, inbox(USER1, { folder: { id } }));
    mailbox.deleteFolder(folder.serial);
    for (const syncState of [undefined, first.syncState]) {
      const error = await rejection(
        syncItems(run, inbox(USER1, { folder: { id }, ...(syncState ? { syncState } : {}) })),
      );
      expect(error).toMatchObject({ code: 'ErrorSyncFolderNotFound', kind: 'folderNotFound' });
    }
    const results = await getFolders(run, {
      folders: [{ distinguishedId: 'inbox' }, { id }],
      shape: { baseShape: 'AllProperties' },
      impersonateSmtpAddress: USER1,
    });
    expect(results[0]).toMatchObject({ ok: true, folderType: 'Folder', folder: { displayName: 'Inbox' } });
    expect(results[1]).toMatchObject({ ok: false, code: 'ErrorItemNotFound' });
  });

  it('answers ErrorNonExistentMailbox and ErrorImpersonateUserDenied as SOAP faults', async () => {
    const missing = buildSyncFolderItemsRequest(inbox('nobody@contoso.test'));
    const raw = await postEws(run, missing);
    expect(raw.status).toBe(500);
    expect(await rejection(syncItems(run, inbox('nobody@contoso.test')))).toMatchObject({
      code: 'ErrorNonExistentMailbox',
      kind: 'permanent',
    });
    run.sim.configure({ impersonationDenied: [USER2] });
    expect(await rejection(syncItems(run, inbox(USER2)))).toMatchObject({
      code: 'ErrorImpersonateUserDenied',
      kind: 'permanent',
    });
    expect((await syncItems(run, inbox(USER1))).changes.length).toBeGreaterThan(0);
  });

  it('answers GetItem per id in request order: found, deleted, malformed', async () => {
    const items = run.sim.items(USER1, 'inbox');
    const [kept, removed] = items;
    const mailbox = run.sim.mailbox(USER1);
    const inboxSerial = mailbox.distinguishedSerial('inbox')!;
    const removedSerial = [...mailbox.itemJournal(inboxSerial)!.live()].find(
      (r) => r.value.id === removed!.id,
    )!.serial;
    mailbox.deleteItem(inboxSerial, removedSerial);
    const results = await getItems(run, {
      itemIds: [{ id: kept!.id }, { id: removed!.id }, { id: 'bm90IGFuIGlk' }],
      shape: { baseShape: 'Default', additionalProperties: ['item:Subject', 'message:IsRead'] },
      impersonateSmtpAddress: USER1,
    });
    expect(results[0]).toMatchObject({ ok: true, itemId: kept!.id, changeKey: kept!.changeKey });
    expect(results[1]).toMatchObject({ ok: false, code: 'ErrorItemNotFound' });
    expect(results[2]).toMatchObject({ ok: false, code: 'ErrorInvalidIdMalformed' });
  });

  it('answers schema violations with an HTTP 500 ErrorSchemaValidation fault', async () => {
    const valid = buildSyncFolderItemsRequest(inbox());
    const bodies = [
      valid.replace('<m:MaxChangesReturned>10<', '<m:MaxChangesReturned>0<'),
      valid.replace('<m:MaxChangesReturned>10<', '<m:MaxChangesReturned>513<'),
      valid.replace('Id="inbox"', 'Id="invalidparentid"'),
      valid.replace('<t:BaseShape>IdOnly</t:BaseShape>', '<t:BaseShape>Everything</t:BaseShape>'),
      '<not-xml',
    ];
    for (const body of bodies) {
      const answer = await postEws(run, body);
      expect(answer.status).toBe(500);
      expect(answer.body).toContain(
        '<faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorSchemaValidation</faultcode>',
      );
    }
  });
});

describe('sync options over HTTP', () => {
  it('sends the newest first (or the oldest when configured), honours Ignore and SyncScope', async () => {
    const truth = run.sim.items(USER2, 'sentitems');
    const newest = [...truth].sort((a, b) => b.dateTimeReceived.localeCompare(a.dateTimeReceived))[0]!;
    const oldest = [...truth].sort((a, b) => a.dateTimeReceived.localeCompare(b.dateTimeReceived))[0]!;
    const folder = { distinguishedId: 'sentitems' };
    expect((await syncItems(run, inbox(USER2, { folder, maxChangesReturned: 1 }))).changes[0]).toMatchObject({
      itemId: newest.id,
    });
    run.sim.configure({ newestFirst: false });
    expect((await syncItems(run, inbox(USER2, { folder, maxChangesReturned: 1 }))).changes[0]).toMatchObject({
      itemId: oldest.id,
    });
    run.sim.configure({ newestFirst: true });

    const ignored = await syncItems(
      run,
      inbox(USER2, { folder, maxChangesReturned: 512, ignore: [{ id: newest.id }] }),
    );
    expect(ignored.changes.map((c) => c.itemId)).not.toContain(newest.id);
    expect(ignored.changes).toHaveLength(truth.length - 1);

    const normal = await syncItems(run, inbox(USER2, { maxChangesReturned: 512 }));
    const all = await syncItems(
      run,
      inbox(USER2, { maxChangesReturned: 512, syncScope: 'NormalAndAssociatedItems' }),
    );
    expect(all.changes.length).toBe(normal.changes.length + 1);
    expect(
      run.sim
        .items(USER2, 'inbox', { includeAssociated: true })
        .map((i) => i.id)
        .sort(),
    ).toEqual(all.changes.map((c) => c.itemId).sort());
  });

  it('refuses an unknown RequestServerVersion with a SOAP fault', async () => {
    const answer = await postEws(
      run,
      buildSyncFolderItemsRequest(inbox(USER1, { serverVersion: 'Exchange1999' })),
    );
    expect(answer.status).toBe(500);
    expect(answer.body).toContain('a:ErrorInvalidServerVersion');
  });
});

describe('throttling', () => {
  it('caps concurrent sync calls per mailbox and answers ErrorServerBusy with BackOffMilliseconds', async () => {
    run.sim.stats.reset();
    run.sim.configure({ concurrentSyncCalls: 2, backOffMs: 1234, latency: { fixedMs: 300, jitterMs: 0 } });
    const calls = Array.from({ length: 6 }, () =>
      syncItems(run, inbox(USER1)).then(
        () => 'ok',
        (e: unknown) => e,
      ),
    );
    // A different mailbox has its own budget.
    const other = syncItems(run, inbox(USER2));
    const outcomes = await Promise.all(calls);
    await other;
    const busy = outcomes.filter((o) => o !== 'ok') as { code: string; kind: string; backOffMs: number }[];
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(2);
    expect(busy).toHaveLength(4);
    for (const e of busy)
      expect(e).toMatchObject({ code: 'ErrorServerBusy', kind: 'throttled', backOffMs: 1234 });
    const stats = run.sim.stats.snapshot();
    expect(stats.maxConcurrentSyncCalls[USER1]).toBe(2);
    expect(stats.maxConcurrentSyncCalls[USER2]).toBe(1);
    expect(stats.throttled.responseMessage).toBe(4);
  });

  it('sends the busy answer as an HTTP 500 SOAP fault when configured', async () => {
    run.sim.configure({
      concurrentSyncCalls: 1,
      throttleFaultRatio: 1,
      latency: { fixedMs: 200, jitterMs: 0 },
    });
    const xml = buildSyncFolderItemsRequest(inbox(USER1));
    const [a, b] = await Promise.all([postEws(run, xml), postEws(run, xml)]);
    const fault = [a, b].find((x) => x.status === 500)!;
    expect([a.status, b.status].sort()).toEqual([200, 500]);
    expect(fault.body).toContain('a:ErrorServerBusy');
    expect(fault.body).toContain('<t:Value Name="BackOffMilliseconds">');
  });

  it('enforces a per-mailbox request budget per minute', async () => {
    run.sim.configure({ requestsPerMinute: 3 });
    const smtp = 'user3@contoso.test';
    for (let i = 0; i < 3; i++) await syncItems(run, inbox(smtp));
    const error = (await rejection(syncItems(run, inbox(smtp)))) as { code: string; backOffMs: number };
    expect(error.code).toBe('ErrorServerBusy');
    expect(error.backOffMs).toBeGreaterThan(0);
    expect(error.backOffMs).toBeLessThanOrEqual(60_000);
    expect(run.sim.stats.snapshot().throttled.budget).toBeGreaterThanOrEqual(1);
  });
});

describe('fault injection', () => {
  it('answers HTTP 503 with Retry-After', async () => {
    run.sim.configure({ faults: { http503: 1, retryAfterSeconds: 7 } });
    const answer = await postEws(run, buildSyncFolderItemsRequest(inbox()));
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('7');
  });

  it('answers transient HTTP 500 faults', async () => {
    run.sim.configure({ faults: { transient500: 1 } });
    const answer = await postEws(run, buildSyncFolderItemsRequest(inbox()));
    expect(answer.status).toBe(500);
    expect(await rejection(syncItems(run, inbox()))).toMatchObject({
      code: 'ErrorInternalServerTransientError',
      kind: 'transient',
    });
  });

  it('truncates bodies so that the parser refuses them', async () => {
    run.sim.configure({ faults: { truncate: 1 } });
    const answer = await postEws(run, buildSyncFolderItemsRequest(inbox()));
    expect(answer.status).toBe(200);
    expect(answer.body.endsWith('</s:Envelope>')).toBe(false);
    expect(await rejection(syncItems(run, inbox()))).toMatchObject({ kind: 'protocol' });
  });

  it('breaks connections in the middle of the body', async () => {
    run.sim.configure({ faults: { cutConnection: 1 } });
    await expect(postEws(run, buildSyncFolderItemsRequest(inbox()))).rejects.toThrow();
    expect(run.sim.stats.snapshot().faults.cutConnection).toBeGreaterThanOrEqual(1);
  });

  it('drops connections', async () => {
    run.sim.configure({ faults: { drop: 1 } });
    await expect(postEws(run, buildSyncFolderItemsRequest(inbox()))).rejects.toThrow();
    expect(run.sim.stats.snapshot().faults.drop).toBeGreaterThanOrEqual(1);
  });

  it('injects faults at the configured rate, reproducibly from the fault seed', async () => {
    const outcomes = async () => {
      run.sim.configure({ faultSeed: 4242, faults: { http503: 0.3, transient500: 0.2 } });
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++)
        statuses.push((await postEws(run, buildSyncFolderItemsRequest(inbox()))).status);
      run.sim.configure({ faultSeed: 1 });
      return statuses;
    };
    const first = await outcomes();
    expect(await outcomes()).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 500, 503]));
  });

  it('writes invalid control-character references into item text', async () => {
    run.sim.configure({ faults: { controlChars: 1 } });
    const answer = await postEws(
      run,
      buildSyncFolderItemsRequest(inbox(USER1, { shape: { baseShape: 'Default' } })),
    );
    expect(answer.body).toContain('&#x1;&#x1B;</t:Subject>');
    // The project's parser copes with them (a real server's page must not be lost over it).
    const page = await syncItems(run, inbox(USER1, { shape: { baseShape: 'Default' } }));
    expect(page.changes.length).toBeGreaterThan(0);
  });
});

describe('request log', () => {
  it('records X-AnchorMailbox and client-request-id, per mailbox with timestamps', async () => {
    const before = Date.now();
    await postEws(run, buildSyncFolderItemsRequest(inbox(USER2)), {
      headers: { 'X-AnchorMailbox': USER2, 'client-request-id': 'req-123' },
    });
    const log = run.sim.stats.requestLog(USER2);
    expect(log.at(-1)).toMatchObject({
      operation: 'SyncFolderItems',
      mailbox: USER2,
      anchorMailbox: USER2,
      clientRequestId: 'req-123',
      status: 200,
      outcome: 'NoError',
    });
    expect(run.sim.stats.requestsBefore(USER2, before)).not.toContainEqual(
      expect.objectContaining({ clientRequestId: 'req-123' }),
    );
    expect(run.sim.stats.requestsBefore(USER2, Date.now() + 1, before)).toContainEqual(
      expect.objectContaining({ clientRequestId: 'req-123' }),
    );
  });
});
