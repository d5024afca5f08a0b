import { describe, expect, it } from 'vitest';
import { Simulator } from './simulator.js';

const REQUEST = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><s:Header><t:ExchangeImpersonation><t:ConnectingSID><t:SmtpAddress>user1@contoso.test</t:SmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></s:Header><s:Body><m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder></s:Body></s:Envelope>`;

function simulator(sleeps: number[], config: ConstructorParameters<typeof Simulator>[0] = {}) {
  const sim = new Simulator({
    seed: 1,
    mailboxes: 1,
    itemsPerMailbox: 5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...config,
  });
  const headers = {
    authorization: `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`,
  };
  return { sim, call: () => sim.handleEws({ body: REQUEST, headers }) };
}

describe('Simulator latency', () => {
  it('waits the fixed latency plus seeded jitter before answering', async () => {
    const sleeps: number[] = [];
    const { call } = simulator(sleeps, { config: { latency: { fixedMs: 100, jitterMs: 50 } } });
    for (let i = 0; i < 20; i++) expect(await call()).toMatchObject({ kind: 'response', status: 200 });
    expect(sleeps).toHaveLength(20);
    for (const ms of sleeps) {
      expect(ms).toBeGreaterThanOrEqual(100);
      expect(ms).toBeLessThan(150);
    }
    expect(new Set(sleeps.map(Math.floor)).size).toBeGreaterThan(10);
    const again: number[] = [];
    const second = simulator(again, { config: { latency: { fixedMs: 100, jitterMs: 50 } } });
    for (let i = 0; i < 20; i++) await second.call();
    expect(again).toEqual(sleeps);
  });

  it('does not wait without latency, and not for rejected requests', async () => {
    const sleeps: number[] = [];
    const { sim, call } = simulator(sleeps);
    await call();
    sim.configure({ latency: { fixedMs: 10, jitterMs: 0 }, faults: { drop: 1 } });
    expect(await call()).toEqual({ kind: 'drop' });
    expect(sleeps).toEqual([]);
  });
});

describe('Simulator sync states', () => {
  it('refuses states issued by another instance, even with the same seed (history is not kept)', async () => {
    const sfi = (state = '') =>
      REQUEST.replace(
        /<m:GetFolder>.*<\/m:GetFolder>/,
        `<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="inbox"/></m:SyncFolderId>${state && `<m:SyncState>${state}</m:SyncState>`}<m:MaxChangesReturned>5</m:MaxChangesReturned></m:SyncFolderItems>`,
      );
    const first = simulator([]);
    const second = simulator([]);
    const headers = (sim: Simulator) => ({
      authorization: `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`,
    });
    const answer = await first.sim.handleEws({ body: sfi(), headers: headers(first.sim) });
    const state = /<m:SyncState>([^<]+)</.exec(answer.kind === 'response' ? answer.body : '')![1]!;
    const own = await first.sim.handleEws({ body: sfi(state), headers: headers(first.sim) });
    const other = await second.sim.handleEws({ body: sfi(state), headers: headers(second.sim) });
    expect(own.kind === 'response' && own.body).toContain('NoError');
    expect(other.kind === 'response' && other.body).toContain('ErrorInvalidSyncStateData');
  });
});
