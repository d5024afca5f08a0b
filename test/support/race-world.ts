// A small world for forcing races between pages by hand, on the real parts: the production
// container (DynamoDB adapters on DynamoDB Local, the EWS mail source) against the simulator
// over HTTP. Time is a manual clock, so that a lease expires exactly when the test says; the
// queue is a recorder, so that the test delivers each job when the interleaving needs it.
import { expect } from 'vitest';
import {
  loadHandlers,
  localHandlerEnvironment,
  simulatorCredentials,
  simulatorMailboxes,
} from '../../cli/local/pipeline.js';
import type { Container } from '../../lib/app/container.js';
import {
  type CoreDeps,
  type Cursor,
  HIERARCHY_CURSOR_ID,
  type JobOutcome,
  type Mailbox,
  newHierarchyCursor,
  type PageContext,
  runSyncJob,
  type SyncJob,
  startJob,
} from '../../lib/core/index.js';
import { ManualClock, SeededRandom } from '../../lib/core/testing/random.js';
import { standInSeams } from '../../local/index.js';
import { type RunningSimulator, type SimMailbox, startSimulator } from '../../simulator/index.js';
import type { LocalAwsFixture } from './local-aws.js';
import './local-sdk-env.js';

/** Longer than any invocation here; the test moves the clock past it to expire a lease. */
export const LEASE_MS = 120_000;
/** Only this folder class is synced: the folder the test builds. */
/** A class no seeded folder has (kind `other`), so the filter selects the race folder alone. */
const TEST_FOLDER_CLASS = 'IPF.Journal';

export interface RaceWorld {
  simulator: RunningSimulator;
  container: Container;
  deps: CoreDeps;
  clock: ManualClock;
  mailbox: Mailbox;
  /** The simulator's mailbox, for server-side changes. */
  server: SimMailbox;
  /** The folder under test, its id as the mirror knows it. */
  folderId: string;
  folderSerial: number;
  /** Jobs sent and not yet delivered. */
  sent: SyncJob[];
  context(owner: string): PageContext;
  /** Takes the first sent job matching `select`. */
  take(select: (job: SyncJob) => boolean): SyncJob;
  /** Delivers every sent job (and what they send) until none is left. */
  drain(deps?: CoreDeps): Promise<JobOutcome[]>;
  /** Runs a hierarchy sync of the mailbox to its end, folder jobs left in `sent`. */
  syncHierarchy(deps?: CoreDeps): Promise<void>;
  cursor(): Promise<Cursor>;
  /** The mirror's live items of the folder against the server's: itemId -> changeKey. */
  expectMirrorEqualsServer(): Promise<void>;
  createItem(subject: string): string;
  stop(): Promise<void>;
}

export async function startRaceWorld(local: LocalAwsFixture, items = 2): Promise<RaceWorld> {
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const [simulator, resources] = await Promise.all([
    startSimulator({
      port: 0,
      seed: 3,
      mailboxes: 1,
      foldersPerMailbox: 0,
      itemsPerMailbox: 0,
      username: 'sync-service',
      password,
    }),
    local.resources(),
  ]);
  const { createLocalContainer, readHandlerEnv } = await loadHandlers();
  const container = createLocalContainer(
    readHandlerEnv(localHandlerEnvironment(resources, local.aws.endpoints, { leaseMs: LEASE_MS })),
    standInSeams(local.aws.endpoints, simulatorCredentials(simulator)),
  );
  const clock = new ManualClock(Date.now());
  const sent: SyncJob[] = [];
  const deps: CoreDeps = {
    ...container.deps,
    clock: { now: () => clock.now() },
    random: new SeededRandom(7, 'job'),
    queue: {
      send: async (entries) => {
        sent.push(...entries.map((entry) => entry.job));
      },
    },
    config: { ...container.deps.config, leaseMs: LEASE_MS },
  };
  const [template] = simulatorMailboxes(simulator, { pageSize: 1, maxConcurrentSyncs: 4, now: clock.now() });
  const mailbox: Mailbox = { ...template!, folderFilter: { kinds: ['other'] } };
  await deps.registry.put(mailbox);
  const server = simulator.sim.mailbox(mailbox.mailboxId);
  const root = server.distinguishedSerial('msgfolderroot')!;
  const folder = server.createFolder(root, 'Race', TEST_FOLDER_CLASS);

  const world: RaceWorld = {
    simulator,
    container,
    deps,
    clock,
    mailbox,
    server,
    folderId: folder.value.id,
    folderSerial: folder.serial,
    sent,
    context: (owner) => ({ owner, remainingMs: () => 60_000 }),
    take(select) {
      const index = sent.findIndex(select);
      if (index < 0) throw new Error(`no such job among ${JSON.stringify(sent)}`);
      return sent.splice(index, 1)[0]!;
    },
    async drain(using = deps) {
      const outcomes: JobOutcome[] = [];
      for (let n = 0; sent.length > 0; n++) {
        if (n > 200) throw new Error('not quiet after 200 jobs');
        outcomes.push(await runSyncJob(using, sent.shift()!, world.context('drain')));
      }
      return outcomes;
    },
    async syncHierarchy(using = deps) {
      await using.cursors.create(newHierarchyCursor(mailbox.mailboxId, HIERARCHY_CURSOR_ID, clock.now()));
      const cursor = await using.cursors.get(mailbox.mailboxId, HIERARCHY_CURSOR_ID);
      sent.push(startJob(cursor!, deps.random));
      for (let n = 0; sent.some((job) => job.type === 'hierarchy'); n++) {
        if (n > 50) throw new Error('hierarchy not complete after 50 pages');
        await runSyncJob(
          using,
          world.take((job) => job.type === 'hierarchy'),
          world.context('hierarchy'),
        );
      }
    },
    async cursor() {
      const cursor = await deps.cursors.get(mailbox.mailboxId, world.folderId);
      if (!cursor) throw new Error('no cursor for the test folder');
      return cursor;
    },
    async expectMirrorEqualsServer() {
      const live = await deps.mirror.listLive(mailbox.mailboxId, world.folderId);
      const mirrored = Object.fromEntries(live.map((row) => [row.itemId, row.changeKey]));
      const onServer = Object.fromEntries(
        simulator.sim.items(mailbox.mailboxId, world.folderId).map((item) => [item.id, item.changeKey]),
      );
      expect(mirrored).toEqual(onServer);
    },
    createItem(subject) {
      const at = new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
      const record = server.createItem(folder.serial, 'Message', {
        itemClass: 'IPM.Note',
        subject,
        sensitivity: 'Normal',
        importance: 'Normal',
        dateTimeReceived: at,
        dateTimeSent: at,
        dateTimeCreated: at,
        lastModifiedTime: at,
        size: 1000,
        hasAttachments: false,
        categories: [],
        displayTo: '',
        displayCc: '',
        isDraft: false,
      });
      return record.value.id;
    },
    async stop() {
      container.destroy();
      await simulator.close();
    },
  };
  for (let n = 0; n < items; n++) world.createItem(`item ${n}`);
  return world;
}
