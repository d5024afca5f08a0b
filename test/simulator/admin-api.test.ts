// The admin API under /_sim/: ground truth, mutations, runtime configuration and statistics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AppliedMutation,
  GroundTruthItem,
  GroundTruthMailbox,
  SimulatorConfig,
  StatsSnapshot,
} from '../../simulator/index.js';
import { type RunningSimulator, startSimulator } from '../../simulator/server.js';
import { syncItems } from './ews-http.js';

let run: RunningSimulator;
beforeAll(async () => {
  run = await startSimulator({ seed: 12, mailboxes: 2, foldersPerMailbox: 3, itemsPerMailbox: 80 });
});
afterAll(() => run.close());

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const response = await fetch(`${run.adminUrl}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });
  return { status: response.status, json: (await response.json()) as T };
}

describe('admin API', () => {
  it('lists mailboxes with their folders', async () => {
    const { status, json } = await call<GroundTruthMailbox[]>('GET', '/mailboxes');
    expect(status).toBe(200);
    expect(json.map((m) => m.smtp)).toEqual(['user1@contoso.test', 'user2@contoso.test']);
    const inbox = json[0]!.folders.find((f) => f.distinguishedId === 'inbox')!;
    expect(inbox).toMatchObject({ displayName: 'Inbox', folderClass: 'IPF.Note', folderType: 'Folder' });
    expect(inbox.parentId).toBe(json[0]!.folders.find((f) => f.distinguishedId === 'msgfolderroot')!.id);
    expect(inbox.itemCount).toBeGreaterThan(0);
  });

  it('returns the items of a folder by real id (URL-encoded) or distinguished name', async () => {
    const mailboxes = (await call<GroundTruthMailbox[]>('GET', '/mailboxes')).json;
    const inbox = mailboxes[0]!.folders.find((f) => f.distinguishedId === 'inbox')!;
    const byId = await call<GroundTruthItem[]>(
      'GET',
      `/mailboxes/user1%40contoso.test/folders/${encodeURIComponent(inbox.id)}/items`,
    );
    const byName = await call<GroundTruthItem[]>('GET', '/mailboxes/user1@contoso.test/folders/inbox/items');
    expect(byId.json).toEqual(byName.json);
    expect(byId.json).toHaveLength(inbox.itemCount);
    expect(byId.json[0]).toMatchObject({
      id: expect.any(String),
      changeKey: expect.any(String),
      itemType: expect.any(String),
      isRead: expect.any(Boolean),
    });
    const withFai = await call<GroundTruthItem[]>(
      'GET',
      '/mailboxes/user1@contoso.test/folders/inbox/items?associated=true',
    );
    expect(withFai.json.filter((i) => i.isAssociated)).toHaveLength(1);
    expect((await call('GET', '/mailboxes/user1@contoso.test/folders/nope/items')).status).toBe(404);
  });

  it('applies seeded mutations and reports them', async () => {
    const before = (await call<GroundTruthItem[]>('GET', '/mailboxes/user2@contoso.test/folders/inbox/items'))
      .json;
    const { status, json } = await call<{ applied: number; mutations: AppliedMutation[] }>(
      'POST',
      '/mutate',
      {
        count: 40,
        seed: 3,
        mailboxes: ['user2@contoso.test'],
      },
    );
    expect(status).toBe(200);
    expect(json.applied).toBe(40);
    expect(json.mutations.every((m) => m.mailbox === 'user2@contoso.test')).toBe(true);
    const after = (await call<GroundTruthItem[]>('GET', '/mailboxes/user2@contoso.test/folders/inbox/items'))
      .json;
    expect(after).not.toEqual(before);
    expect((await call('POST', '/mutate', { count: 'x' })).status).toBe(400);
  });

  it('changes the configuration at runtime and validates it', async () => {
    const { json } = await call<SimulatorConfig>('PUT', '/config', {
      concurrentSyncCalls: 3,
      faults: { http503: 0.5 },
    });
    expect(json.concurrentSyncCalls).toBe(3);
    expect(json.faults).toMatchObject({ http503: 0.5, transient500: 0 });
    expect(run.sim.config.faults.http503).toBe(0.5);
    expect((await call('PUT', '/config', { faults: { http503: 2 } })).status).toBe(400);
    expect((await call('PUT', '/config', { nonsense: true })).status).toBe(400);
    await call('PUT', '/config', { concurrentSyncCalls: 5, faults: { http503: 0 } });
    expect((await call<SimulatorConfig>('GET', '/config')).json.faults.http503).toBe(0);
  });

  it('reports statistics and invalidates sync states', async () => {
    const request = {
      folder: { distinguishedId: 'inbox' },
      shape: { baseShape: 'IdOnly' },
      maxChangesReturned: 5,
      impersonateSmtpAddress: 'user1@contoso.test',
    } as const;
    const page = await syncItems(run, request);
    const stats = (await call<StatsSnapshot>('GET', '/stats')).json;
    expect(stats.requests.SyncFolderItems).toBeGreaterThanOrEqual(1);
    expect(stats.maxConcurrentSyncCalls['user1@contoso.test']).toBe(1);
    expect(stats.throttled).toEqual({ responseMessage: 0, fault: 0, budget: 0 });
    expect((await call('POST', '/invalidate-sync-states', { mailbox: 'user1@contoso.test' })).status).toBe(
      200,
    );
    await expect(syncItems(run, { ...request, syncState: page.syncState })).rejects.toMatchObject({
      code: 'ErrorInvalidSyncStateData',
    });
    const log = (await call<{ operation: string }[]>('GET', '/requests?mailbox=user1@contoso.test')).json;
    expect(log.map((e) => e.operation)).toEqual(['SyncFolderItems', 'SyncFolderItems']);
  });
});
