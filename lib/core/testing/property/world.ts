// The world of the protocol property test: the use cases on the contract-tested fakes, a fake
// server that behaves like Exchange where it matters (newest first, moves, distinguished folders
// looked up with GetFolder, throttles of any length on any call, concurrency throttling, aborted
// requests never sent), Lambda invocations that die or freeze and thaw, and invariants checked
// at every step, not only at the end.
import type fc from 'fast-check';
import { factFieldsOf, pageFieldsOf } from '../../cursor-write.js';
import type { CoreDeps } from '../../deps.js';
import { MailSourceError } from '../../errors.js';
import { runSyncJob } from '../../jobs/registry.js';
import { canonical } from '../../mirror/mirror-rules.js';
import type { Cursor, Mailbox } from '../../model.js';
import type { SyncJob } from '../../ports.js';
import { fanOutTick } from '../../schedule/fan-out-tick.js';
import { revOfChangeKey } from '../fake-mail-server.js';
import { Harness } from '../harness.js';
import type { Command, PropertySizes, Stop } from './commands.js';
import { INVOCATION_TIMEOUT_MS, Invocation } from './invocations.js';

/** SQS visibility timeout: an unacknowledged message comes back after this. */
const VISIBILITY_MS = 360_000;
const MAX_CONCURRENT_SYNCS = 2;
/** `archive` does not exist: GetFolder is asked for it at every hierarchy completion. */
const FOLDER_FILTER = { wellKnownNames: ['inbox', 'archive'], kinds: ['mail' as const] };
/** Leaves out every folder but the inbox. */
const NARROW_FILTER = { wellKnownNames: ['inbox', 'archive'] };

type Fault = Extract<Command, { k: 'fault' }>;
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const sorted = (folder: Record<string, unknown>) => JSON.stringify(Object.entries(folder).sort());
/** Key order is no content: compare rows with their keys sorted, undefined fields left out. */
const normalised = (cursor: Cursor | undefined) =>
  JSON.stringify(cursor && canonical(JSON.parse(JSON.stringify(cursor))));

/** A server call counted against the mailbox's cap from when the engine sends it. */
interface InFlightCall {
  mailboxId: string;
  sync: boolean;
  inv: Invocation;
  /** It reached the server (past the network and its invocation's last chance to die). */
  sent: boolean;
}

export class World {
  readonly h: Harness;
  readonly mailboxes: string[];
  readonly violations: string[] = [];
  readonly allFolders = new Map<string, Set<string>>();
  private readonly invocations: Invocation[] = [];
  /** Server calls in flight, with the mailbox they are for. */
  private readonly inFlight = new Set<InFlightCall>();
  /** Pauses the workers recorded per mailbox: when (event sequence) and until when (clock). */
  private readonly pauses = new Map<string, { recordedAt: number; until: number }[]>();
  private readonly faults: Fault[] = [];
  /** `mailbox/folder/item` -> the item's change counter when it last left that folder. */
  private readonly exits = new Map<string, number>();
  /** `mailbox/folder/closedAtVersion` of every stop a resume lifted. */
  private readonly restartedCloses = new Set<string>();
  private sequence = 0;
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
    h.mirror.afterWrite = (before, after) => this.checkRow(before, after);
    // Every resume, whoever makes it (the quiet rounds run on the unwrapped ports too).
    const resume = h.cursors.resume.bind(h.cursors);
    h.cursors.resume = async (expected, next) => {
      await resume(expected, next);
      const { mailboxId, folderId, stop } = expected;
      this.restartedCloses.add(`${mailboxId}/${folderId}/${stop?.closedAtVersion}`);
    };
    // Between the mirror's row writes other work runs (each invocation's own view of the mirror
    // adds its freeze checkpoint there, see invocationDeps).
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

  /** Mirror rows: never back to an older ChangeKey, never back from a delete, never live under a gone folder. */
  private checkRow(
    before: { deleted: boolean; changeKey?: string; pageVersion: number } | undefined,
    after: Parameters<NonNullable<Harness['mirror']['afterWrite']>>[1],
  ): void {
    // Back from a tombstone only with a change newer than the item's last exit from the folder
    // (moved out and back: ids are immutable here, as in Graph); a late or repeated write is older.
    // Also back, by a page above the close, when its tombstone is the close of a folder that was
    // started again (excluded, then selected: its sync from scratch brings the items back).
    const exit = this.exits.get(`${after.mailboxId}/${after.folderId}/${after.itemId}`);
    const restarted =
      before !== undefined &&
      after.pageVersion > before.pageVersion &&
      this.restartedCloses.has(`${after.mailboxId}/${after.folderId}/${before.pageVersion}`);
    if (
      before?.deleted &&
      !after.deleted &&
      !restarted &&
      (exit === undefined || revOfChangeKey(after.changeKey) <= exit)
    )
      this.violations.push(`item ${after.itemId} came back after its delete`);
    if (before && !after.deleted && revOfChangeKey(after.changeKey) < revOfChangeKey(before.changeKey))
      this.violations.push(`item ${after.itemId} went back from ${before.changeKey} to ${after.changeKey}`);
    // A stop is written before its close (hierarchy/folder-stops.ts): once the close is recorded
    // no row of the folder may come alive, whatever wrote it and whenever.
    const stop = this.h.cursors.peek(after.mailboxId, after.folderId)?.stop;
    if (!after.deleted && stop?.closedAtVersion !== undefined)
      this.violations.push(`item ${after.itemId} written live under ${stop.reason} folder ${after.folderId}`);
  }

  /** Kills or freezes the invocation here when its stop or its timeout says so. */
  private async checkpoint(inv: Invocation, index: number, after: boolean, stop?: Stop): Promise<void> {
    if (inv.state === 'running' && inv.timedOut(this.h.clock.now())) {
      this.count('timed-out-frozen');
      this.giveBack(inv);
      this.dropUnsentCalls(inv);
      await inv.freeze();
      this.count('thawed');
    }
    if (!stop || stop.at !== index || stop.after !== after) return;
    this.count(`${stop.mode}-${after ? 'after' : 'before'}`);
    this.giveBack(inv);
    this.dropUnsentCalls(inv);
    if (stop.mode === 'killed') return inv.die();
    await inv.freeze();
    this.count('thawed');
  }

  /**
   * An invocation that dies or freezes never sends the server calls still on their way out (a
   * frozen page's calls are refused when it thaws: its signal fired): they stop counting.
   */
  private dropUnsentCalls(inv: Invocation): void {
    for (const entry of this.inFlight) if (entry.inv === inv && !entry.sent) this.inFlight.delete(entry);
  }

  /** The invocation ended (timeout or death): SQS delivers its message again later. */
  private giveBack(inv: Invocation): void {
    if (inv.returned) return;
    inv.returned = true;
    this.h.pending.push({ job: inv.job, dueAt: Math.max(this.h.clock.now(), inv.startedAt + VISIBILITY_MS) });
  }

  private serverCall(inv: Invocation, args: unknown[]): InFlightCall | undefined {
    if (inv.controller.signal.aborted) return undefined;
    const { h } = this;
    const mailboxId = (args[0] as { mailbox: Mailbox }).mailbox.mailboxId;
    const now = h.clock.now();
    for (const pause of this.pauses.get(mailboxId) ?? []) {
      if (pause.recordedAt < inv.lastMailboxRead && now < pause.until)
        this.violations.push(
          `a call to ${mailboxId} inside a back-off its worker could see (until ${pause.until})`,
        );
    }
    // GetFolder is no sync call: the cap counts sync calls only.
    const sync = (args[0] as { names?: string[] }).names === undefined;
    const entry: InFlightCall = { mailboxId, sync, inv, sent: false };
    if (sync) {
      const live = [...this.inFlight].filter((c) => c.mailboxId === mailboxId && c.sync).length + 1;
      this.count(`in-flight:${live}`);
      const cap = h.registry.mailboxes.get(mailboxId)!.maxConcurrentSyncs;
      if (live > cap) this.violations.push(`${live} sync calls in flight for ${mailboxId}`);
    }
    this.inFlight.add(entry);
    return entry;
  }

  private recordThrottle(inv: Invocation, error: unknown, args: unknown[]): void {
    if (!(error instanceof MailSourceError) || error.kind !== 'throttled') return;
    const mailboxId = (args[0] as { mailbox: Mailbox }).mailbox.mailboxId;
    inv.unrecordedPause = { mailboxId, until: this.h.clock.now() + (error.retryAfterMs ?? 0) };
  }

  /**
   * A throttle answer must be recorded as the mailbox's back-off before its invocation does
   * anything else with the world (whatever call it answered, GetFolder included).
   */
  private checkPauseRecorded(inv: Invocation, port: string, method: string, args: unknown[]): void {
    const pause = inv.unrecordedPause;
    if (!pause) return;
    if (port === 'registry' && method === 'extendBackoff') {
      if (args[0] === pause.mailboxId && (args[1] as number) >= pause.until) inv.unrecordedPause = undefined;
      return;
    }
    this.violations.push(`a throttle answer for ${pause.mailboxId} not recorded before ${port}.${method}`);
    inv.unrecordedPause = undefined;
  }

  /** The ports of one invocation: every call waits for the scheduler and passes its checkpoints. */
  private invocationDeps(inv: Invocation, stop?: Stop): CoreDeps {
    const { h, s } = this;
    let calls = 0;
    const wrap = <T extends object>(target: T, port: string): T =>
      new Proxy(target, {
        get: (obj, prop, receiver) => {
          const value = Reflect.get(obj, prop, receiver);
          if (typeof value !== 'function') return value;
          const method = String(prop);
          return async (...args: unknown[]) => {
            const index = calls++;
            // A server call counts from when the engine sends it: the scheduler's delay is the
            // network's, which the engine cannot see (a call read ahead may wait in it while its
            // invocation reads the mailbox again for the next page).
            // So does the rule that a throttle answer is recorded before anything else: what
            // the invocation sends next, not what the network delivers first.
            this.checkPauseRecorded(inv, port, method, args);
            const entry = port === 'source' ? this.serverCall(inv, args) : undefined;
            // A server call sent while the page's own writes are under way: it reads ahead.
            if (entry && inv.outstanding > 0) this.count('read-ahead');
            inv.outstanding++;
            let result: unknown;
            try {
              await s.schedule(Promise.resolve(), `${port}.${method}`);
              await this.checkpoint(inv, index, false, stop);
              if (entry) {
                // Refused unsent when its invocation's signal fired on the way (a freeze).
                if (inv.controller.signal.aborted) this.inFlight.delete(entry);
                entry.sent = true;
              }
              result = await (value as (...a: unknown[]) => unknown).apply(obj, args);
            } catch (error) {
              if (port === 'source') this.recordThrottle(inv, error, args);
              throw error;
            } finally {
              inv.outstanding--;
              if (entry) this.inFlight.delete(entry);
            }
            if (port === 'registry' && method === 'get') inv.lastMailboxRead = ++this.sequence;
            if (port === 'registry' && method === 'extendBackoff') this.recordPause(args);
            if (port === 'cursors') this.checkStored(method, args[1] as Cursor);
            await this.checkpoint(inv, index, true, stop);
            return result;
          };
        },
      });
    return {
      ...h.deps,
      mailSource: wrap(h.server, 'source'),
      registry: wrap(h.registry, 'registry'),
      cursors: wrap(h.cursors, 'cursors'),
      mirror: wrap(this.mirrorOf(inv), 'mirror'),
      queue: wrap(h.queue, 'queue'),
    };
  }

  private recordPause(args: unknown[]): void {
    const mailboxId = args[0] as string;
    const list = this.pauses.get(mailboxId) ?? [];
    list.push({ recordedAt: ++this.sequence, until: args[1] as number });
    this.pauses.set(mailboxId, list);
  }

  /**
   * The mirror as one invocation sees it: the same rows, and a freeze checkpoint between its row
   * writes (the invocation may time out while its page is writing, and freeze right there).
   */
  private mirrorOf(inv: Invocation): Harness['mirror'] {
    const shared = this.h.mirror;
    const view = Object.create(shared) as Harness['mirror'];
    view.yieldBetweenWrites = async () => {
      await shared.yieldBetweenWrites?.();
      await this.checkpoint(inv, -1, false);
    };
    return view;
  }

  /**
   * The row stored is the row its writer wrote, in the fields that writer names (a page its page
   * fields, the hierarchy the folder facts, a resume all but the push's request): a store that
   * merged would show here.
   */
  private checkStored(method: string, written: Cursor): void {
    const views: Record<string, (c: Cursor) => Partial<Cursor>> = {
      replace: pageFieldsOf,
      writeFacts: factFieldsOf,
      resume: (c) => ({ ...c, syncRequestedAt: undefined }),
    };
    const view = views[method];
    if (!view) return;
    const stored = this.h.cursors.peek(written.mailboxId, written.folderId);
    const [a, b] = [stored && view(stored), view(written)].map((c) => normalised(c as Cursor));
    if (a !== b) this.violations.push(`cursor ${written.folderId} ${method} stored ${a} for ${b}`);
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
    runSyncJob(this.invocationDeps(inv, stop), job, context).then(
      (outcome) => {
        this.count(`${outcome.type}:${outcome.outcome}`);
        h.collect();
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (/went back|move forward/.test(message)) this.violations.push(message);
        // Not acknowledged: SQS delivers the message again after the visibility timeout.
        h.collect();
        this.giveBack(inv);
      },
    );
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
        return this.mutate(cmd);
      case 'folder': {
        const m = this.mailboxes[cmd.mailbox % this.mailboxes.length]!;
        const folders = [...h.server.folders(m).keys()];
        if (cmd.op === 'create' || folders.length === 0) {
          const folderId = h.server.addFolder(m, { displayName: `new${cmd.pick}` });
          this.allFolders.get(m)!.add(folderId);
          h.server.createItem(m, folderId);
        } else if (cmd.op === 'rename')
          h.server.renameFolder(m, folders[cmd.pick % folders.length]!, `renamed${cmd.pick}`);
        else h.server.deleteFolder(m, folders[cmd.pick % folders.length]!);
        return;
      }
      case 'filter': {
        const m = this.mailboxes[cmd.mailbox % this.mailboxes.length]!;
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

  private mutate(cmd: Extract<Command, { k: 'mutate' }>): void {
    const { h } = this;
    const m = this.mailboxes[cmd.mailbox % this.mailboxes.length]!;
    const folders = [...h.server.folders(m).values()];
    if (folders.length === 0) return;
    const folder = folders[cmd.folder % folders.length]!;
    const items = [...folder.items.keys()];
    if (cmd.op === 'create' || items.length === 0) {
      h.server.createItem(m, folder.folderId);
      return;
    }
    const item = items[cmd.item % items.length]!;
    if (cmd.op === 'update') h.server.updateItem(m, folder.folderId, item, `s${cmd.item}`);
    else if (cmd.op === 'read') h.server.setRead(m, folder.folderId, item, true);
    else if (cmd.op === 'unread') h.server.setRead(m, folder.folderId, item, false);
    else if (cmd.op === 'move') {
      const target = folders[(cmd.folder + 1) % folders.length]!;
      if (target === folder) return;
      this.recordExit(m, folder.folderId, item);
      h.server.moveItem(m, folder.folderId, target.folderId, item);
    } else {
      this.recordExit(m, folder.folderId, item);
      h.server.deleteItem(m, folder.folderId, item);
    }
  }

  /** The change counter of an item when it leaves a folder (deleted or moved out). */
  private recordExit(mailboxId: string, folderId: string, itemId: string): void {
    const rev = this.h.server.folder(mailboxId, folderId).items.get(itemId)?.rev;
    if (rev !== undefined) this.exits.set(`${mailboxId}/${folderId}/${itemId}`, rev);
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
      if (await this.converged()) return { rounds: round, allowed };
    }
    return { rounds: Number.POSITIVE_INFINITY, allowed };
  }

  async converged(): Promise<boolean> {
    for (const [m, folders] of this.allFolders) {
      for (const folderId of folders) {
        if (sorted(await this.h.mirrored(m, folderId)) !== sorted(this.h.onServer(m, folderId))) return false;
      }
    }
    return true;
  }

  /** What differs between the mirror and the server, with the folder's cursor: for failure messages. */
  async differences(): Promise<string[]> {
    const found: string[] = [];
    for (const [m, folders] of this.allFolders) {
      for (const folderId of folders) {
        const mirrored = sorted(await this.h.mirrored(m, folderId));
        const onServer = sorted(this.h.onServer(m, folderId));
        if (mirrored === onServer) continue;
        const cursor = normalised(this.h.cursors.peek(m, folderId));
        found.push(`${m}/${folderId}: mirror ${mirrored} server ${onServer} cursor ${cursor}`);
      }
    }
    return found;
  }

  /** Every stopped folder (gone or excluded): closed, and no live row under it. */
  async liveUnderGone(): Promise<string[]> {
    const found: string[] = [];
    for (const m of this.mailboxes) {
      for (const cursor of await this.h.cursors.listByMailbox(m)) {
        if (!cursor.stop) continue;
        if (cursor.stop.closedAtVersion === undefined) found.push(`${m}/${cursor.folderId}: close pending`);
        const live = await this.h.mirror.listLive(m, cursor.folderId);
        if (live.length > 0) found.push(`${m}/${cursor.folderId}: ${live.map((r) => r.itemId).join(',')}`);
      }
    }
    return found;
  }
}
