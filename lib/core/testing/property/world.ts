// The world of the protocol property test: the use cases on the contract-tested fakes, a fake
// server that behaves like Exchange where it matters (newest first, moves, distinguished folders
// looked up with GetFolder, throttles of any length on any call, concurrency throttling, aborted
// requests never sent), Lambda invocations that die or freeze and thaw, and invariants checked
// at every step, not only at the end. This file runs the commands (deliveries, steps of the
// scheduler, faults, the quiet rounds at the end); the checks live in store-invariants.ts,
// call-invariants.ts and convergence.ts, the ports each invocation runs on in instrumented-ports.ts.
import type fc from 'fast-check';
import { MailSourceError } from '../../errors.js';
import { runSyncJob } from '../../jobs/registry.js';
import type { SyncJob } from '../../ports.js';
import { fanOutTick } from '../../schedule/fan-out-tick.js';
import { Harness } from '../harness.js';
import { CallInvariants } from './call-invariants.js';
import type { Command, PropertySizes, Stop } from './commands.js';
import { converged, differences, type EveryFolder, liveUnderGone } from './convergence.js';
import { InstrumentedPorts } from './instrumented-ports.js';
import { giveBack, INVOCATION_TIMEOUT_MS, Invocation, VISIBILITY_MS } from './invocations.js';
import { changeFolder, changeItem } from './server-changes.js';
import { StoreInvariants } from './store-invariants.js';

const MAX_CONCURRENT_SYNCS = 2;
/** `archive` does not exist: GetFolder is asked for it at every hierarchy completion. */
const FOLDER_FILTER = { wellKnownNames: ['inbox', 'archive'], kinds: ['mail' as const] };
/** Leaves out every folder but the inbox. */
const NARROW_FILTER = { wellKnownNames: ['inbox', 'archive'] };

type Fault = Extract<Command, { k: 'fault' }>;
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export class World {
  readonly h: Harness;
  readonly mailboxes: string[];
  readonly violations: string[] = [];
  readonly allFolders: EveryFolder = new Map();
  private readonly invocations: Invocation[] = [];
  private readonly faults: Fault[] = [];
  private readonly store: StoreInvariants;
  private readonly ports: InstrumentedPorts;
  private gated = true;

  constructor(
    private readonly s: fc.Scheduler,
    readonly sizes: PropertySizes,
    private readonly count: (key: string) => void,
  ) {
    this.h = new Harness({
      seed: 42,
      config: {
        maxHops: 3,
        transientRetry: { baseMs: 1_000, capMs: 20_000, maxAttempts: 4 },
        leaseMs: 90_000,
        pagesPerInvocation: sizes.pagesPerInvocation,
      },
    });
    this.mailboxes = Array.from({ length: sizes.mailboxes }, (_, n) => `m${n}@example.com`);
    const { h } = this;
    h.server.newestFirst = true;
    h.server.concurrencyLimit = MAX_CONCURRENT_SYNCS + 1;
    this.store = new StoreInvariants(h, this.violations);
    const calls = new CallInvariants(h, this.violations, count);
    this.ports = new InstrumentedPorts(h, s, count, calls, this.store);
    // Between the mirror's row writes other work runs (each invocation's own view of the mirror
    // adds its freeze checkpoint there, see instrumented-ports.ts).
    h.mirror.yieldBetweenWrites = () =>
      this.gated ? this.s.schedule(Promise.resolve(), 'mirror.row') : Promise.resolve();
    h.server.gate = () => (this.gated ? this.s.schedule(Promise.resolve()) : Promise.resolve());
    h.server.fault = (call) => {
      const index = this.faults.findIndex((f) => f.op === call.op);
      if (index < 0) return undefined;
      const [fault] = this.faults.splice(index, 1);
      this.count(`fault:${call.op}:${fault!.kind}`);
      if (fault!.kind === 'invalidSyncState' && call.op === 'syncItems')
        h.server.invalidateSyncStates(call.mailboxId, call.folderId);
      return new MailSourceError(fault!.kind, `Injected_${fault!.kind}`, 'injected', {
        retryAfterMs: fault!.retryAfterMs,
      });
    };
  }

  async setup(): Promise<void> {
    const { h, sizes } = this;
    for (const [n, m] of this.mailboxes.entries()) {
      await h.addMailbox(m, {
        pageSize: 2,
        maxConcurrentSyncs: MAX_CONCURRENT_SYNCS,
        folderFilter: FOLDER_FILTER,
      });
      this.allFolders.set(m, new Set());
      const folders = n === 0 ? sizes.folders : Math.max(1, Math.floor(sizes.folders / 2));
      for (let f = 0; f < folders; f++) {
        const folderId = h.server.addFolder(m, {
          displayName: `f${f}`,
          ...(f === 0 ? { wellKnownName: 'inbox', kind: 'other' as const } : {}),
        });
        this.allFolders.get(m)!.add(folderId);
        for (let i = 0; i < sizes.itemsPerFolder; i++) h.server.createItem(m, folderId);
      }
    }
  }

  private start(job: SyncJob, stop?: Stop): void {
    const { h } = this;
    this.count(`start:${job.type}`);
    // A folder that waited in a lane (lanes.ts) for a slot to free.
    if (job.type === 'folder' && job.lane) this.count('start:lane');
    const inv = new Invocation(job, h.clock.now());
    this.invocations.push(inv);
    const context = {
      owner: 'w',
      // The context of the invocation that started the page: after a thaw it has run out.
      remainingMs: () => INVOCATION_TIMEOUT_MS - (h.clock.now() - inv.startedAt),
      signal: inv.controller.signal,
      // The pages it ran before its last one (pagesPerInvocation).
      onOutcome: (outcome: { type: string; outcome: string }) => {
        this.count(`${outcome.type}:${outcome.outcome}`);
        this.count('inline');
      },
    };
    runSyncJob(this.ports.depsFor(inv, stop), job, context).then(
      (outcome) => {
        this.count(`${outcome.type}:${outcome.outcome}`);
        h.collect();
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (/went back|move forward/.test(message)) this.violations.push(message);
        // Not acknowledged: SQS delivers the message again after the visibility timeout.
        h.collect();
        giveBack(inv, h);
      },
    );
  }

  private mailboxOf(pick: number): string {
    return this.mailboxes[pick % this.mailboxes.length]!;
  }

  async run(cmd: Command): Promise<void> {
    const { h, s } = this;
    h.collect();
    switch (cmd.k) {
      case 'deliver': {
        // A batch of due messages, in any order, handled concurrently; the first one may be
        // delivered twice (now, or again later) and its invocation may be stopped.
        for (let i = 0; i < cmd.batch; i++) {
          const due = h.pending.filter((p) => p.dueAt <= h.clock.now());
          if (due.length === 0) return;
          const chosen = due[(cmd.pick + i) % due.length]!;
          h.pending.splice(h.pending.indexOf(chosen), 1);
          const first = i === 0;
          if (first && cmd.redeliverLater) h.pending.push({ job: chosen.job, dueAt: h.clock.now() + 30_000 });
          this.start(chosen.job, first ? cmd.stop : undefined);
          if (first && cmd.copies === 2) this.start(chosen.job);
        }
        return;
      }
      case 'step':
        for (let i = 0; i < cmd.n; i++) {
          await settle();
          if (s.count() === 0) return;
          await s.waitOne();
        }
        return;
      case 'mutate':
        return changeItem(h.server, this.store, this.mailboxOf(cmd.mailbox), cmd);
      case 'folder': {
        const m = this.mailboxOf(cmd.mailbox);
        return changeFolder(h.server, m, this.allFolders.get(m)!, cmd);
      }
      case 'filter': {
        const m = this.mailboxOf(cmd.mailbox);
        const folderFilter = cmd.narrow ? NARROW_FILTER : FOLDER_FILTER;
        await h.registry.put({ ...h.registry.mailboxes.get(m)!, folderFilter });
        this.count(`filter:${cmd.narrow ? 'narrow' : 'wide'}`);
        return;
      }
      case 'advance':
        h.clock.advance(cmd.ms);
        return;
      case 'tick':
        await fanOutTick(h.deps, { remainingMs: () => 60_000 });
        return;
      case 'thaw': {
        const frozen = this.invocations.filter((inv) => inv.state === 'frozen');
        if (frozen.length > 0) frozen[cmd.pick % frozen.length]!.thaw(h.clock.now());
        return;
      }
      case 'fault':
        this.faults.push(cmd);
        return;
    }
  }

  /**
   * How many quiet rounds (ticks) a full resync of the biggest folder may need: its pages, a
   * chain of at most `maxHops + 1` pages per tick, plus one for the hierarchy, one for a chain
   * taken over or restarted as stuck, and one for a resync that starts over.
   */
  quietRoundsAllowed(): number {
    const { h } = this;
    let biggest = 0;
    for (const m of this.mailboxes)
      for (const folder of h.server.folders(m).values()) biggest = Math.max(biggest, folder.items.size);
    const pageSize = h.registry.mailboxes.get(this.mailboxes[0]!)!.pageSize;
    const pages = Math.ceil(biggest / pageSize) + 1;
    return Math.ceil(pages / (h.config.maxHops + 1)) + 3;
  }

  /**
   * Faults stop; every frozen page thaws; then quiet rounds until the mirror equals the server.
   * Returns the rounds it took (up to twice the allowance, to tell slow from never).
   */
  async quiesce(): Promise<{ rounds: number; allowed: number }> {
    const { h, s } = this;
    this.faults.length = 0;
    // Every folder selected again: those a narrow filter left out sync from scratch.
    for (const m of this.mailboxes)
      await h.registry.put({ ...h.registry.mailboxes.get(m)!, folderFilter: FOLDER_FILTER });
    for (const inv of this.invocations) inv.thaw(h.clock.now());
    await s.waitIdle();
    this.gated = false;
    h.collect();
    const allowed = this.quietRoundsAllowed();
    for (let round = 1; round <= 2 * allowed; round++) {
      await h.runUntilQuiet(20_000);
      h.clock.advance(Math.max(VISIBILITY_MS, h.config.stuckAfterMs, h.config.syncIntervalMs));
      await h.tick();
      if (await converged(h, this.allFolders)) return { rounds: round, allowed };
    }
    return { rounds: Number.POSITIVE_INFINITY, allowed };
  }

  /** What differs between the mirror and the server, with the folder's cursor: for failure messages. */
  differences(): Promise<string[]> {
    return differences(this.h, this.allFolders);
  }

  /** Every stopped folder (gone or excluded): closed, and no live row under it. */
  liveUnderGone(): Promise<string[]> {
    return liveUnderGone(this.h, this.mailboxes);
  }
}
