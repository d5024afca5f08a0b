import { describe, expect, it } from 'vitest';
import { HIERARCHY_CURSOR_ID } from '../model.js';
import type { MailSource } from '../ports.js';
import { FakeMailServer } from '../testing/fake-mail-server.js';
import { Harness } from '../testing/harness.js';
import { changeMailboxSource, MailboxSourceChangeError } from './change-mailbox-source.js';

const A = 'a@example.com';
const GRAPH = {
  kind: 'graph',
  tenantId: 'contoso.example',
  userId: A,
  baseUrl: 'https://graph.example/v1.0',
} as const;

/** The same mailbox seen through two protocols: the harness's server (EWS) and another (Graph), with other ids. */
async function twoSources() {
  const h = new Harness();
  await h.addMailbox(A, { pageSize: 5 });
  const ewsInbox = h.server.addFolder(A, { displayName: 'Inbox', kind: 'mail' });
  for (let i = 0; i < 8; i++) h.server.createItem(A, ewsInbox);
  const graph = new FakeMailServer();
  graph.addMailbox(A);
  const graphInbox = graph.addFolder(A, { folderId: 'G-inbox', displayName: 'Inbox', kind: 'mail' });
  for (let i = 0; i < 8; i++) graph.createItem(A, graphInbox);
  const router: MailSource = {
    syncItems: (r) => (r.mailbox.source.kind === 'graph' ? graph : h.server).syncItems(r),
    syncHierarchy: (r) => (r.mailbox.source.kind === 'graph' ? graph : h.server).syncHierarchy(r),
    resolveWellKnownFolders: (r) =>
      (r.mailbox.source.kind === 'graph' ? graph : h.server).resolveWellKnownFolders(r),
  };
  (h.deps as { mailSource: MailSource }).mailSource = router;
  return { h, graph, ewsInbox, graphInbox };
}

describe('changeMailboxSource', () => {
  it('closes the old folders (items tombstoned), rediscovers the hierarchy and syncs the new ids', async () => {
    const { h, graph, ewsInbox, graphInbox } = await twoSources();
    await h.tick();
    expect(Object.keys(await h.mirrored(A, ewsInbox))).toHaveLength(8);

    const result = await changeMailboxSource(h.deps, {
      mailboxId: A,
      source: GRAPH,
      credentialsRef: 'local:graph',
    });
    expect(result).toMatchObject({ foldersClosed: 1, itemsTombstoned: 8 });
    expect(result.mailbox).toMatchObject({ status: 'enabled', source: GRAPH, credentialsRef: 'local:graph' });
    expect(h.cursors.peek(A, ewsInbox)).toMatchObject({
      stop: { reason: 'gone', code: 'MailSourceChanged' },
    });
    expect(h.cursors.peek(A, HIERARCHY_CURSOR_ID)!.syncState).toBeUndefined();
    expect(await h.mirrored(A, ewsInbox)).toEqual({});

    h.clock.advance(h.config.syncIntervalMs);
    await h.tick();
    const onGraph = Object.fromEntries(
      [...graph.folders(A).get(graphInbox)!.items.values()].map((i) => [
        i.itemId,
        [`${i.itemId}@${i.rev}`, i.isRead],
      ]),
    );
    expect(await h.mirrored(A, graphInbox)).toEqual(onGraph);
    expect(await h.mirrored(A, ewsInbox)).toEqual({});
  });

  it('refuses an unknown mailbox and a move to the source it already has', async () => {
    const { h } = await twoSources();
    const ews = { kind: 'ews', smtpAddress: A, endpoint: 'https://mail.example/EWS/Exchange.asmx' } as const;
    await expect(
      changeMailboxSource(h.deps, { mailboxId: 'x@example.com', source: GRAPH, credentialsRef: 'c' }),
    ).rejects.toThrow(MailboxSourceChangeError);
    await expect(
      changeMailboxSource(h.deps, { mailboxId: A, source: ews, credentialsRef: 'c' }),
    ).rejects.toThrow(/already syncs through ews/);
  });
});
