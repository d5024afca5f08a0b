// Delta semantics over real HTTP: convergence to the ground truth under replays, empty pages and
// shuffling, moves with and without immutable ids, deleted folders, MailboxConcurrency throttling
// and the EWS policy block.
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../server.js';
import { applyEntries, deltaRound, fetchGraphToken, graphGet } from './testing.js';

const SMTP = 'user1@contoso.test';
const U = `/users/${SMTP}`;
let run: RunningSimulator;
afterEach(() => run?.close());

type FolderState = { link: string; state: Map<string, string> };

/** Syncs the hierarchy and every folder's items (from stored links when present). */
async function syncAll(token: string, folders: Map<string, FolderState>, prefer: Record<string, string>) {
  for (const collection of ['mailFolders', 'contactFolders'] as const) {
    const key = `hierarchy:${collection}`;
    const hierarchy = folders.get(key) ?? { link: `${U}/${collection}/delta`, state: new Map() };
    const round = await deltaRound(run, token, hierarchy.link, prefer);
    applyEntries(hierarchy.state, round.entries);
    folders.set(key, { link: round.deltaLink, state: hierarchy.state });
    const child = collection === 'mailFolders' ? 'messages' : 'contacts';
    for (const id of hierarchy.state.keys()) {
      const folder = folders.get(id) ?? {
        link: `${U}/${collection}/${encodeURIComponent(id)}/${child}/delta`,
        state: new Map(),
      };
      const items = await deltaRound(run, token, folder.link, prefer);
      applyEntries(folder.state, items.entries);
      folders.set(id, { link: items.deltaLink, state: folder.state });
    }
    for (const id of [...folders.keys()]) {
      if (
        !id.startsWith('hierarchy:') &&
        !hierarchy.state.has(id) &&
        folders.get(id)!.link.includes(`/${collection}/`)
      )
        folders.delete(id);
    }
  }
}

function expectConverged(folders: Map<string, FolderState>, immutable: boolean) {
  const truth = run.sim.graphMailboxTruth(SMTP);
  const names = (list: { id: string; displayName: string }[]) =>
    new Map(list.map((f) => [f.id, f.displayName]));
  expect(folders.get('hierarchy:mailFolders')!.state).toEqual(names(truth.mailFolders));
  expect(folders.get('hierarchy:contactFolders')!.state).toEqual(names(truth.contactFolders));
  for (const [folderId, items] of Object.entries(truth.items)) {
    const expected = new Map(items.map((i) => [immutable ? i.immutableId : i.id, i.changeKey]));
    expect(folders.get(folderId)!.state, folderId).toEqual(expected);
  }
}

describe('Graph delta', () => {
  for (const immutable of [true, false]) {
    it(`converges to the ground truth under replays, empty pages and shuffling (immutable ids: ${immutable})`, async () => {
      run = await startSimulator({
        seed: 5,
        mailboxes: 1,
        foldersPerMailbox: 6,
        itemsPerMailbox: 300,
        config: { graph: { replayRate: 0.3, emptyPageRate: 0.2, shuffle: true } },
      });
      const token = await fetchGraphToken(run);
      const prefer = { Prefer: `odata.maxpagesize=7${immutable ? ', IdType="ImmutableId"' : ''}` };
      const folders = new Map<string, FolderState>();
      await syncAll(token, folders, prefer);
      expectConverged(folders, immutable);
      for (const seed of [1, 2, 3]) {
        const applied = run.sim.mutate({ count: 60, seed, mailboxes: [SMTP] });
        expect(applied.length).toBeGreaterThan(0);
        await syncAll(token, folders, prefer);
        expectConverged(folders, immutable);
      }
    });
  }

  it('shows a move as @removed in the source and the same immutable id in the target', async () => {
    run = await startSimulator({ seed: 8, mailboxes: 1, itemsPerMailbox: 80 });
    const token = await fetchGraphToken(run);
    const prefer = { Prefer: 'IdType="ImmutableId"' };
    const mailbox = run.sim.mailbox(SMTP);
    const inbox = mailbox.distinguishedSerial('inbox')!;
    const archive = mailbox.distinguishedSerial('archive')!;
    const a = await deltaRound(run, token, `${U}/mailFolders/inbox/messages/delta`, prefer);
    const b = await deltaRound(run, token, `${U}/mailFolders/archive/messages/delta`, prefer);
    const rec = [...mailbox.itemJournal(inbox)!.live()].find((r) => !r.value.isAssociated)!;
    const before = run.sim.graphItems(SMTP, 'inbox').find((i) => i.ewsId === rec.value.id)!;
    const moved = mailbox.moveItem(inbox, rec.serial, archive);
    const fromA = await deltaRound(run, token, a.deltaLink, prefer);
    const intoB = await deltaRound(run, token, b.deltaLink, prefer);
    expect(fromA.entries).toEqual([
      {
        '@odata.type': '#microsoft.graph.message',
        id: before.immutableId,
        '@removed': { reason: expect.stringMatching(/^(deleted|changed)$/) },
      },
    ]);
    expect(intoB.entries.map((e) => e.id)).toEqual([before.immutableId]);
    // Regular ids change with the folder, as Graph's do.
    const after = run.sim.graphItems(SMTP, 'archive').find((i) => i.ewsId === moved.value.id)!;
    expect(after.immutableId).toBe(before.immutableId);
    expect(after.id).not.toBe(before.id);
    // A -> B -> A between two rounds: the item is simply present in A again, never removed.
    const rec2 = [...mailbox.itemJournal(inbox)!.live()].find((r) => !r.value.isAssociated)!;
    const id2 = run.sim.graphItems(SMTP, 'inbox').find((i) => i.ewsId === rec2.value.id)!.immutableId;
    const there = mailbox.moveItem(inbox, rec2.serial, archive);
    mailbox.moveItem(archive, there.serial, inbox);
    const back = await deltaRound(run, token, fromA.deltaLink, prefer);
    expect(back.entries.map((e) => [e.id, e['@removed'] ?? 'present'])).toEqual([[id2, 'present']]);
  });

  it('reports a deleted folder as @removed and answers 404 for its delta link', async () => {
    run = await startSimulator({ seed: 9, mailboxes: 1, foldersPerMailbox: 3, itemsPerMailbox: 60 });
    const token = await fetchGraphToken(run);
    const mailbox = run.sim.mailbox(SMTP);
    const custom = mailbox
      .liveFolders()
      .find((f) => !f.value.distinguishedId && f.value.folderType === 'Folder')!;
    const folderId = run.sim.graphMailboxTruth(SMTP).mailFolders.find((f) => f.ewsId === custom.value.id)!.id;
    const hierarchy = await deltaRound(run, token, `${U}/mailFolders/delta`);
    const items = await deltaRound(
      run,
      token,
      `${U}/mailFolders/${encodeURIComponent(folderId)}/messages/delta`,
    );
    mailbox.deleteFolder(custom.serial);
    const next = await deltaRound(run, token, hierarchy.deltaLink);
    expect(next.entries).toContainEqual({ id: folderId, '@removed': { reason: 'deleted' } });
    const gone = await graphGet(run, token, items.deltaLink);
    expect([gone.status, gone.json.error.code]).toEqual([404, 'ErrorItemNotFound']);
  });

  it('answers 429 beyond the concurrent requests allowed per mailbox', async () => {
    const waiting: (() => void)[] = [];
    run = await startSimulator({
      seed: 2,
      mailboxes: 1,
      itemsPerMailbox: 20,
      // Every admitted request waits in "latency" until the test releases it.
      sleep: () => new Promise<void>((resolve) => waiting.push(resolve)),
      config: { latency: { fixedMs: 1, jitterMs: 0 }, graph: { retryAfterSeconds: 3 } },
    });
    const token = await fetchGraphToken(run);
    const requests = Array.from({ length: 6 }, () =>
      graphGet(run, token, `${U}/mailFolders/inbox/messages/delta`),
    );
    while (run.sim.stats.snapshot().graphThrottled < 2 || waiting.length < 4) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (const release of waiting) release();
    const answers = await Promise.all(requests);
    const throttled = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(4);
    expect(throttled).toHaveLength(2);
    expect(throttled[0]!.headers.get('retry-after')).toBe('3');
    expect(throttled[0]!.json.error).toMatchObject({
      code: 'ApplicationThrottled',
      message: expect.stringMatching(/MailboxConcurrency/),
    });
    const stats = run.sim.stats.snapshot();
    expect(stats.maxConcurrentGraphRequests[SMTP]).toBe(4);
    expect(stats.inFlightGraphRequests[SMTP]).toBe(0);
    expect(stats.requests['Graph:messages.delta']).toBe(6);
  });

  it('blocks EWS for listed mailboxes with 403 and X-EWS-Policy-Reason', async () => {
    run = await startSimulator({
      seed: 2,
      mailboxes: 1,
      itemsPerMailbox: 5,
      config: { ewsBlockedMailboxes: [SMTP] },
    });
    const body = `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Header><t:RequestServerVersion Version="Exchange2013"/><t:ExchangeImpersonation><t:ConnectingSID><t:SmtpAddress>${SMTP}</t:SmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></soap:Header><soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder></soap:Body></soap:Envelope>`;
    const auth = `Basic ${Buffer.from(`${run.username}:${run.password}`).toString('base64')}`;
    const response = await fetch(run.url, {
      method: 'POST',
      body,
      headers: { Authorization: auth, 'Content-Type': 'text/xml' },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-ews-policy-reason')).toBe(
      'EWS is blocked by policy for this user or tenant',
    );
  });
});
