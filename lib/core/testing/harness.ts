// Test harness: the use cases wired to in-memory fakes, and a tiny "SQS + Lambda" loop that
// delivers queued jobs in due order on a manual clock. For unit tests of the core only.
import { type CoreConfig, coreConfig } from '../config.js';
import type { CoreDeps, PageContext } from '../deps.js';
import type { JobOutcome } from '../jobs/job-kind.js';
import { runSyncJob } from '../jobs/registry.js';
import type { Mailbox } from '../model.js';
import type { SyncJob } from '../ports.js';
import { FakeMailServer } from './fake-mail-server.js';
import { InMemoryCursorStore } from './in-memory-cursor-store.js';
import { InMemoryItemMirror } from './in-memory-item-mirror.js';
import { InMemoryMailboxRegistry, testMailbox } from './in-memory-registry.js';
import { InMemoryWorkQueue } from './in-memory-work-queue.js';
import { ManualClock, SeededRandom } from './random.js';

export interface Pending {
  job: SyncJob;
  dueAt: number;
}

export class Harness {
  readonly server = new FakeMailServer();
  readonly registry = new InMemoryMailboxRegistry();
  readonly cursors = new InMemoryCursorStore();
  readonly mirror = new InMemoryItemMirror();
  readonly queue = new InMemoryWorkQueue();
  readonly clock = new ManualClock();
  readonly random: SeededRandom;
  readonly config: CoreConfig;
  readonly deps: CoreDeps;
  /** Jobs sent and not yet delivered, with the time SQS would deliver them. */
  readonly pending: Pending[] = [];
  readonly outcomes: JobOutcome[] = [];

  constructor(options: { seed?: number; config?: Partial<CoreConfig> } = {}) {
    this.random = new SeededRandom(options.seed ?? 1);
    // One page per delivery unless a test asks for runs of pages (the deployed default): most
    // tests are about one step of one page; inline-chain, read-ahead and the property test run both.
    this.config = coreConfig({
      fanOut: { pageSize: 2, marginMs: 1_000, concurrency: 2 },
      pagesPerInvocation: 1,
      ...options.config,
    });
    this.deps = {
      mailSource: this.server,
      registry: this.registry,
      cursors: this.cursors,
      mirror: this.mirror,
      queue: this.queue,
      clock: this.clock,
      random: this.random,
      config: this.config,
    };
  }

  /**
   * What a worker gives a job. `onOutcome` sees the pages a delivery ran before its last one
   * (`pagesPerInvocation`).
   */
  context(owner = 'worker', remainingMs = 60_000, onOutcome?: (outcome: JobOutcome) => void): PageContext {
    return onOutcome
      ? { owner, remainingMs: () => remainingMs, onOutcome }
      : { owner, remainingMs: () => remainingMs };
  }

  async addMailbox(mailboxId: string, overrides: Partial<Mailbox> = {}): Promise<void> {
    this.server.addMailbox(mailboxId);
    await this.registry.put(testMailbox(mailboxId, overrides));
  }

  /** Moves what the use cases sent into `pending`, stamped with their delivery time. */
  collect(): void {
    for (const entry of this.queue.drain()) {
      this.pending.push({ job: entry.job, dueAt: this.clock.now() + (entry.delaySeconds ?? 0) * 1000 });
    }
  }

  /** Takes the job due first (moving the clock to it). */
  takeNext(): SyncJob | undefined {
    this.collect();
    if (this.pending.length === 0) return undefined;
    let first = 0;
    for (let i = 1; i < this.pending.length; i++)
      if (this.pending[i]!.dueAt < this.pending[first]!.dueAt) first = i;
    const [next] = this.pending.splice(first, 1);
    if (next!.dueAt > this.clock.now()) this.clock.set(next!.dueAt);
    return next!.job;
  }

  /** Deliveries made (run, runUntilQuiet, runConcurrently): with inline pages, fewer than outcomes. */
  deliveries = 0;

  /** Delivers one job; returns the outcome of its last page (see deliver for all of them). */
  async run(job: SyncJob, owner = 'worker'): Promise<JobOutcome> {
    return (await this.deliver(job, owner)).at(-1)!;
  }

  /** Delivers one job: the outcomes of every page it ran, in order (one unless pages ran inline). */
  async deliver(job: SyncJob, owner = 'worker'): Promise<JobOutcome[]> {
    const outcomes: JobOutcome[] = [];
    this.deliveries += 1;
    const report = (outcome: JobOutcome) => {
      outcomes.push(outcome);
      this.outcomes.push(outcome);
    };
    report(await runSyncJob(this.deps, job, this.context(owner, 60_000, report)));
    this.collect();
    return outcomes;
  }

  /** Delivers jobs one at a time until none is left. */
  async runUntilQuiet(maxJobs = 10_000): Promise<JobOutcome[]> {
    const outcomes: JobOutcome[] = [];
    for (let n = 0; n < maxJobs; n++) {
      const job = this.takeNext();
      if (!job) return outcomes;
      outcomes.push(...(await this.deliver(job)));
    }
    throw new Error(`not quiet after ${maxJobs} jobs`);
  }

  /**
   * Delivers jobs as `workers` Lambdas would: the jobs due run together, up to `workers` at a
   * time, and the clock moves to the next delivery when none is due. Pages overlap where the
   * server (or its gate) yields.
   */
  async runConcurrently(workers: number, maxJobs = 10_000): Promise<JobOutcome[]> {
    const outcomes: JobOutcome[] = [];
    while (outcomes.length < maxJobs) {
      this.collect();
      if (this.pending.length === 0) return outcomes;
      this.pending.sort((x, y) => x.dueAt - y.dueAt);
      this.clock.set(Math.max(this.clock.now(), this.pending[0]!.dueAt));
      const due = this.pending.findIndex((p) => p.dueAt > this.clock.now());
      const batch = this.pending.splice(0, Math.min(workers, due < 0 ? this.pending.length : due));
      outcomes.push(...(await Promise.all(batch.map((p) => this.deliver(p.job)))).flat());
    }
    throw new Error(`not quiet after ${maxJobs} jobs`);
  }

  /** A scheduler tick followed by everything it caused. */
  async tick(): Promise<JobOutcome[]> {
    const { fanOutTick } = await import('../schedule/fan-out-tick.js');
    await fanOutTick(this.deps, { remainingMs: () => 60_000 });
    this.collect();
    return this.runUntilQuiet();
  }

  /** The live mirror of a folder as `itemId -> [changeKey, isRead]`. */
  async mirrored(
    mailboxId: string,
    folderId: string,
  ): Promise<Record<string, [string | undefined, boolean | undefined]>> {
    const rows = await this.mirror.listLive(mailboxId, folderId);
    return Object.fromEntries(rows.map((r) => [r.itemId, [r.changeKey, r.isRead]]));
  }

  /** The server's folder in the same shape. */
  onServer(mailboxId: string, folderId: string): Record<string, [string | undefined, boolean | undefined]> {
    const folder = this.server.folders(mailboxId).get(folderId);
    if (!folder) return {};
    return Object.fromEntries(
      [...folder.items.values()].map((i) => [i.itemId, [`${i.itemId}@${i.rev}`, i.isRead]]),
    );
  }
}
