// Graph over real HTTP: the token endpoint, authentication, users and folders, paging and
// Prefer, token binding and expiry, permission, faults and the admin ground-truth routes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../server.js';
import { deltaRound, fetchGraphToken, graphGet } from './testing.js';

let run: RunningSimulator;
let token: string;
const U = '/users/user1@contoso.test';
beforeAll(async () => {
  run = await startSimulator({ seed: 21, mailboxes: 2, foldersPerMailbox: 4, itemsPerMailbox: 150 });
  token = await fetchGraphToken(run);
});
afterAll(() => run.close());
afterEach(() => {
  run.sim.configure({ graph: { tokenExpiryRate: 0, forbiddenMailboxes: [] }, faults: { http503: 0 } });
});

function tokenRequest(fields: Record<string, string>, tenant = run.graph.tenantId) {
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: run.graph.clientId,
    client_secret: run.graph.clientSecret,
    scope: 'https://graph.microsoft.com/.default',
    ...fields,
  });
  return fetch(run.graph.tokenUrl.replace(run.graph.tenantId, tenant), { method: 'POST', body });
}

describe('token endpoint', () => {
  it('issues Bearer tokens for the client-credentials flow', async () => {
    const response = await tokenRequest({});
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3599,
      access_token: expect.stringMatching(/^ey[\w-]+\.[\w-]+\.[\w-]+$/),
    });
    expect((await tokenRequest({}, 'contoso.test')).status).toBe(200);
  });

  it('answers like Entra for a wrong secret, client, scope or tenant', async () => {
    const secret = await tokenRequest({ client_secret: 'nope' });
    expect(secret.status).toBe(401);
    expect(await secret.json()).toMatchObject({
      error: 'invalid_client',
      error_description: expect.stringContaining('AADSTS7000215'),
    });
    const client = await tokenRequest({ client_id: '00000000-0000-0000-0000-000000000000' });
    expect([client.status, ((await client.json()) as { error: string }).error]).toEqual([
      400,
      'invalid_client',
    ]);
    const scope = await tokenRequest({ scope: 'Mail.Read' });
    expect([scope.status, ((await scope.json()) as { error: string }).error]).toEqual([400, 'invalid_scope']);
    expect((await tokenRequest({}, 'other-tenant')).status).toBe(400);
  });
});

describe('Graph requests', () => {
  it('refuses a missing or foreign token with 401 InvalidAuthenticationToken', async () => {
    const none = await fetch(`${run.graph.baseUrl}${U}/mailFolders/inbox`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.json()).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
    const forged = await graphGet(run, `${token.slice(0, -4)}AAAA`, `${U}/mailFolders/inbox`);
    expect([forged.status, forged.json.error.code]).toEqual([401, 'InvalidAuthenticationToken']);
  });

  it('addresses users by SMTP address (any case) or object id; others are 404', async () => {
    const truth = run.sim.graphGroundTruth()[0]!;
    const byGuid = await graphGet(run, token, `/users/${truth.userId}`);
    expect(byGuid.json).toMatchObject({ id: truth.userId, mail: 'user1@contoso.test' });
    expect((await graphGet(run, token, '/users/USER1@Contoso.test/mailFolders/inbox')).status).toBe(200);
    const unknown = await graphGet(run, token, '/users/nobody@contoso.test/mailFolders/inbox');
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'ErrorInvalidUser']);
    expect((await graphGet(run, token, '/me/mailFolders/inbox')).status).toBe(400);
  });

  it('resolves well-known folder names and ids; a missing folder is ErrorItemNotFound', async () => {
    const truth = run.sim.graphGroundTruth()[0]!;
    for (const name of ['inbox', 'sentitems', 'deleteditems', 'drafts', 'archive', 'junkemail', 'Inbox']) {
      const answer = await graphGet(run, token, `${U}/mailFolders/${name}`);
      const expected = truth.mailFolders.find((f) => f.wellKnownName === name.toLowerCase())!;
      expect(answer.json).toMatchObject({ id: expected.id, displayName: expected.displayName });
      const byId = await graphGet(run, token, `${U}/mailFolders/${encodeURIComponent(expected.id)}`);
      expect(byId.json.id).toBe(expected.id);
    }
    const root = await graphGet(run, token, `${U}/mailFolders/msgfolderroot`);
    expect(truth.mailFolders.find((f) => f.wellKnownName === 'inbox')!.parentFolderId).toBe(root.json.id);
    const contacts = await graphGet(run, token, `${U}/contactFolders/${truth.contactFolders[0]!.id}`);
    expect(contacts.json).toMatchObject({ id: truth.contactFolders[0]!.id });
    const ewsId = run.sim.groundTruth()[0]!.folders[0]!.id;
    expect((await graphGet(run, token, `${U}/mailFolders/${encodeURIComponent(ewsId)}`)).status).toBe(400);
    const other = run.sim.graphGroundTruth()[1]!.mailFolders[0]!.id;
    const foreign = await graphGet(run, token, `${U}/mailFolders/${other}/messages/delta`);
    expect([foreign.status, foreign.json.error.code]).toEqual([404, 'ErrorItemNotFound']);
  });

  it('pages 10 by default; Prefer odata.maxpagesize applies only to the request that sends it', async () => {
    const first = await graphGet(run, token, `${U}/mailFolders/inbox/messages/delta`);
    expect(first.json.value).toHaveLength(10);
    expect(first.headers.get('preference-applied')).toBeNull();
    const big = await graphGet(run, token, `${U}/mailFolders/inbox/messages/delta`, {
      Prefer: 'odata.maxpagesize=25',
    });
    expect(big.json.value).toHaveLength(25);
    expect(big.headers.get('preference-applied')).toBe('odata.maxpagesize=25');
    expect(big.json['@odata.nextLink']).not.toMatch(/maxpagesize/i);
    const next = await graphGet(run, token, big.json['@odata.nextLink']);
    expect(next.json.value).toHaveLength(10);
  });

  it('binds tokens to folder, delta kind and $select; rejects tampering with 400 SyncStateInvalid', async () => {
    const page = await graphGet(run, token, `${U}/mailFolders/inbox/messages/delta?$select=subject,isRead`);
    const link: string = page.json['@odata.nextLink'];
    const skip = new URL(link).searchParams.get('$skiptoken')!;
    expect(page.json.value[0]).toEqual({
      '@odata.type': '#microsoft.graph.message',
      '@odata.etag': expect.any(String),
      id: expect.any(String),
      changeKey: expect.any(String),
      subject: expect.any(String),
      isRead: expect.any(Boolean),
    });
    const bad = async (path: string) => {
      const answer = await graphGet(run, token, path);
      return [answer.status, answer.json.error.code];
    };
    expect(await bad(`${U}/mailFolders/sentitems/messages/delta?$skiptoken=${skip}`)).toEqual([
      400,
      'SyncStateInvalid',
    ]);
    expect(await bad(`${U}/mailFolders/inbox/messages/delta?$select=subject&$skiptoken=${skip}`)).toEqual([
      400,
      'SyncStateInvalid',
    ]);
    expect(await bad(`${U}/mailFolders/delta?$skiptoken=${skip}`)).toEqual([400, 'SyncStateInvalid']);
    expect(await bad(`${U}/mailFolders/inbox/messages/delta?$deltatoken=${skip}`)).toEqual([
      400,
      'SyncStateInvalid',
    ]);
    expect(
      await bad(`/users/user2@contoso.test/mailFolders/inbox/messages/delta?$skiptoken=${skip}`),
    ).toEqual([400, 'SyncStateInvalid']);
    const flipped = `${skip.slice(0, 10)}${skip[10] === 'A' ? 'B' : 'A'}${skip.slice(11)}`;
    expect(await bad(`${U}/mailFolders/inbox/messages/delta?$skiptoken=${flipped}`)).toEqual([
      400,
      'SyncStateInvalid',
    ]);
    expect(await bad(`${U}/mailFolders/inbox/messages/delta?$select=nonsense`)).toEqual([
      400,
      'RequestBroker--ParseUri',
    ]);
    // The same $select repeated on the link is fine.
    const again = await graphGet(run, token, `${link}&$select=isRead,subject`);
    expect(again.status).toBe(200);
  });

  it('answers 410 when a token expires or after a mailbox move, with a Location that restarts', async () => {
    const round = await deltaRound(run, token, `${U}/mailFolders/drafts/messages/delta?$select=subject`);
    run.sim.configure({ graph: { tokenExpiryRate: 1 } });
    const expired = await graphGet(run, token, round.deltaLink);
    expect([expired.status, expired.json.error.code]).toEqual([410, 'syncStateNotFound']);
    const location = expired.headers.get('location')!;
    expect(location).toMatch(/\$deltatoken=$/);
    run.sim.configure({ graph: { tokenExpiryRate: 0 } });
    const restart = await deltaRound(run, token, location);
    expect(restart.entries.length).toBe(run.sim.graphItems('user1@contoso.test', 'drafts').length);
    expect(restart.entries.every((e) => Object.keys(e).includes('subject'))).toBe(true);
    run.sim.invalidateSyncStates('user1@contoso.test');
    const moved = await graphGet(run, token, restart.deltaLink);
    expect([moved.status, moved.json.error.code]).toEqual([410, 'resyncRequired']);
  });

  it('refuses a mailbox without permission (403) and injects 503 with Retry-After', async () => {
    run.sim.configure({ graph: { forbiddenMailboxes: ['USER2@contoso.test'] } });
    const denied = await graphGet(run, token, '/users/user2@contoso.test/mailFolders/delta');
    expect(denied.status).toBe(403);
    expect(denied.json.error).toMatchObject({
      code: 'ErrorAccessDenied',
      message: 'Access is denied. Check credentials and try again.',
    });
    run.sim.configure({ faults: { http503: 1, retryAfterSeconds: 7 } });
    const busy = await graphGet(run, token, `${U}/mailFolders/delta`);
    expect([busy.status, busy.headers.get('retry-after')]).toEqual([503, '7']);
  });

  it('exposes Graph ground truth on the admin API', async () => {
    const all = (await (await fetch(`${run.adminUrl}/graph/mailboxes`)).json()) as { smtp: string }[];
    expect(all.map((m) => m.smtp)).toEqual(['user1@contoso.test', 'user2@contoso.test']);
    const one = (await (await fetch(`${run.adminUrl}/graph/mailboxes/user1%40contoso.test`)).json()) as {
      mailFolders: { id: string }[];
      items: Record<string, unknown[]>;
    };
    expect(Object.keys(one.items)).toContain(one.mailFolders[0]!.id);
    const inbox = await fetch(`${run.adminUrl}/graph/mailboxes/user1@contoso.test/folders/inbox/items`);
    expect(await inbox.json()).toEqual(run.sim.graphItems('user1@contoso.test', 'inbox'));
    expect(
      (await fetch(`${run.adminUrl}/graph/mailboxes/user1@contoso.test/folders/calendar/items`)).status,
    ).toBe(404);
  });
});
