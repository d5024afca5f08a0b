// The simulator's Graph side checked with an independent client, @microsoft/microsoft-graph-client:
// a full delta sync of every mail and contact folder of a mailbox to exact equality with the
// ground truth (ids and changeKeys), then incremental rounds from the stored deltaLinks after
// mutations, with replays, empty pages, shuffling and token expiry switched on. The SDK only
// attaches tokens to https Graph hosts, so a small middleware adds the Bearer header here.
import {
  Client,
  type Context,
  GraphError,
  HTTPMessageHandler,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchGraphToken } from '../../simulator/graph/testing.js';
import type { MutationKind } from '../../simulator/index.js';
import { type RunningSimulator, startSimulator } from '../../simulator/server.js';

const SMTP = 'user2@contoso.test';
const PREFER = 'odata.maxpagesize=20, IdType="ImmutableId"';
let run: RunningSimulator;
afterEach(() => run?.close());

class BearerHandler implements Middleware {
  private next: Middleware | undefined;
  constructor(private readonly token: string) {}
  async execute(context: Context): Promise<void> {
    const options = context.options ?? {};
    options.headers = {
      ...(options.headers as Record<string, string>),
      Authorization: `Bearer ${this.token}`,
    };
    context.options = options;
    await this.next!.execute(context);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

function client(accessToken: string): Client {
  return Client.initWithMiddleware({
    middleware: [new BearerHandler(accessToken), new HTTPMessageHandler()],
    baseUrl: run.graph.baseUrl.replace(/\/v1\.0$/, ''),
    defaultVersion: 'v1.0',
  });
}

/** The SDK parses absolute URLs only for https; links are passed as paths below the version. */
const relative = (link: string) => link.slice(run.graph.baseUrl.length);

interface Counters {
  resets: number;
  /** Entries that repeated what the client already held (replays and duplicates). */
  replays: number;
  emptyPages: number;
}

interface Cursor {
  start: string;
  link: string;
  /** id -> changeKey (items) or displayName (folders) */
  state: Map<string, string>;
}

/** One delta round from the cursor's link; a 410 restarts the folder from scratch (a full resync). */
async function round(graph: Client, cursor: Cursor, stats: Counters): Promise<void> {
  let link = cursor.link;
  for (;;) {
    // biome-ignore lint/suspicious/noExplicitAny: Graph JSON
    let page: any;
    try {
      page = await graph.api(relative(link)).header('Prefer', PREFER).get();
    } catch (error) {
      if (!(error instanceof GraphError) || error.statusCode !== 410) throw error;
      stats.resets++;
      cursor.state.clear();
      link = cursor.start;
      continue;
    }
    if (page.value.length === 0 && page['@odata.nextLink']) stats.emptyPages++;
    for (const entry of page.value) {
      const value = entry.changeKey ?? entry.displayName;
      if (entry['@removed']) cursor.state.delete(entry.id);
      else if (cursor.state.get(entry.id) === value) stats.replays++;
      else cursor.state.set(entry.id, value);
    }
    if (page['@odata.deltaLink']) {
      cursor.link = page['@odata.deltaLink'];
      return;
    }
    link = page['@odata.nextLink'];
  }
}

async function syncMailbox(graph: Client, cursors: Map<string, Cursor>, stats: Counters) {
  const base = `${run.graph.baseUrl}/users/${SMTP}`;
  for (const [collection, child] of [
    ['mailFolders', 'messages'],
    ['contactFolders', 'contacts'],
  ] as const) {
    const start = `${base}/${collection}/delta`;
    const hierarchy = cursors.get(collection) ?? { start, link: start, state: new Map() };
    cursors.set(collection, hierarchy);
    await round(graph, hierarchy, stats);
    for (const id of hierarchy.state.keys()) {
      const folderStart = `${base}/${collection}/${encodeURIComponent(id)}/${child}/delta`;
      const cursor = cursors.get(id) ?? { start: folderStart, link: folderStart, state: new Map() };
      cursors.set(id, cursor);
      await round(graph, cursor, stats);
    }
  }
}

function expectExact(cursors: Map<string, Cursor>) {
  const truth = run.sim.graphMailboxTruth(SMTP);
  const folders = (list: { id: string; displayName: string }[]) =>
    new Map(list.map((f) => [f.id, f.displayName]));
  expect(cursors.get('mailFolders')!.state).toEqual(folders(truth.mailFolders));
  expect(cursors.get('contactFolders')!.state).toEqual(folders(truth.contactFolders));
  for (const [folderId, items] of Object.entries(truth.items)) {
    expect(cursors.get(folderId)!.state, folderId).toEqual(
      new Map(items.map((i) => [i.immutableId, i.changeKey])),
    );
  }
}

describe('Graph delta with @microsoft/microsoft-graph-client', () => {
  it('mirrors every mail and contact folder exactly, before and after mutations', async () => {
    run = await startSimulator({
      seed: 31,
      mailboxes: 2,
      foldersPerMailbox: 6,
      itemsPerMailbox: 250,
      config: { graph: { replayRate: 0.25, emptyPageRate: 0.15, shuffle: true, tokenExpiryRate: 0.03 } },
    });
    const graph = client(await fetchGraphToken(run));
    const cursors = new Map<string, Cursor>();
    const stats: Counters = { resets: 0, replays: 0, emptyPages: 0 };
    await syncMailbox(graph, cursors, stats);
    expectExact(cursors);
    const kinds = new Set<MutationKind>();
    for (const seed of [11, 12, 13]) {
      for (const m of run.sim.mutate({ count: 70, seed, mailboxes: [SMTP] })) kinds.add(m.kind);
      await syncMailbox(graph, cursors, stats);
      expectExact(cursors);
    }
    for (const kind of [
      'createItem',
      'updateItem',
      'deleteItem',
      'moveItem',
      'markRead',
      'markUnread',
    ] as const) {
      expect(kinds).toContain(kind);
    }
    // The realism was really exercised (deterministic for this seed).
    expect(stats.resets).toBeGreaterThan(0);
    expect(stats.replays).toBeGreaterThan(0);
    expect(stats.emptyPages).toBeGreaterThan(0);
    const requests = run.sim.stats.snapshot().requests;
    expect(requests['Graph:messages.delta']).toBeGreaterThan(0);
    expect(requests['Graph:contacts.delta']).toBeGreaterThan(0);
  });

  it('pages 10 without Prefer, binds links to their folder and refuses a bad token', async () => {
    run = await startSimulator({ seed: 32, mailboxes: 2, itemsPerMailbox: 200 });
    const graph = client(await fetchGraphToken(run));
    const path = `/users/${SMTP}/mailFolders/inbox/messages/delta`;
    const page = await graph.api(path).get();
    expect(page.value).toHaveLength(10);
    const skip = new URL(page['@odata.nextLink']).searchParams.get('$skiptoken');
    const foreign = graph.api(`/users/${SMTP}/mailFolders/sentitems/messages/delta?$skiptoken=${skip}`).get();
    await expect(foreign).rejects.toMatchObject({ statusCode: 400, code: 'SyncStateInvalid' });
    await expect(client('not-a-token').api(path).get()).rejects.toMatchObject({
      statusCode: 401,
      code: 'InvalidAuthenticationToken',
    });
    run.sim.configure({ graph: { tokenExpiryRate: 1 } });
    await expect(graph.api(relative(page['@odata.nextLink'])).get()).rejects.toMatchObject({
      statusCode: 410,
      code: 'syncStateNotFound',
    });
  });

  it('throttles the fifth concurrent request for a mailbox with 429', async () => {
    const waiting: (() => void)[] = [];
    run = await startSimulator({
      seed: 33,
      mailboxes: 1,
      itemsPerMailbox: 20,
      sleep: () => new Promise<void>((resolve) => waiting.push(resolve)),
      config: { latency: { fixedMs: 1, jitterMs: 0 } },
    });
    const graph = client(await fetchGraphToken(run));
    const path = '/users/user1@contoso.test/mailFolders/delta';
    const calls = Array.from({ length: 5 }, () =>
      graph
        .api(path)
        .get()
        .then(
          () => 200,
          (error: GraphError) => error.statusCode,
        ),
    );
    while (run.sim.stats.snapshot().graphThrottled < 1 || waiting.length < 4) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (const release of waiting) release();
    expect((await Promise.all(calls)).sort()).toEqual([200, 200, 200, 200, 429]);
    expect(run.sim.stats.snapshot().maxConcurrentGraphRequests['user1@contoso.test']).toBe(4);
  });
});
