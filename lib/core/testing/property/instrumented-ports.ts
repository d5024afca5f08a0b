// The ports one invocation of the property test runs on: the harness's ports wrapped so that
// every call waits for fast-check's scheduler (which picks the interleaving), passes the call
// invariants (call-invariants.ts) and the cursor check (store-invariants.ts), and has a
// checkpoint before and after it where the invocation is killed or frozen (by the command's
// stop, or because it timed out). Kept apart from the world so the world only says what runs.
import type fc from 'fast-check';
import type { CoreDeps } from '../../deps.js';
import type { Cursor } from '../../model.js';
import type { Harness } from '../harness.js';
import type { CallInvariants } from './call-invariants.js';
import type { Stop } from './commands.js';
import { giveBack, type Invocation } from './invocations.js';
import type { StoreInvariants } from './store-invariants.js';

export class InstrumentedPorts {
  constructor(
    private readonly h: Harness,
    private readonly s: fc.Scheduler,
    private readonly count: (key: string) => void,
    private readonly calls: CallInvariants,
    private readonly store: StoreInvariants,
  ) {}

  /** The ports of one invocation: every call waits for the scheduler and passes its checkpoints. */
  depsFor(inv: Invocation, stop?: Stop): CoreDeps {
    const { h, calls } = this;
    let callCount = 0;
    const wrap = <T extends object>(target: T, port: string): T =>
      new Proxy(target, {
        get: (obj, prop, receiver) => {
          const value = Reflect.get(obj, prop, receiver);
          if (typeof value !== 'function') return value;
          const method = String(prop);
          return async (...args: unknown[]) => {
            const index = callCount++;
            // A server call counts from when the engine sends it: the scheduler's delay is the
            // network's, which the engine cannot see (a call read ahead may wait in it while its
            // invocation reads the mailbox again for the next page).
            // So does the rule that a throttle answer is recorded before anything else: what
            // the invocation sends next, not what the network delivers first.
            calls.checkPauseRecorded(inv, port, method, args);
            const entry = port === 'source' ? calls.serverCall(inv, args) : undefined;
            // A server call sent while the page's own writes are under way: it reads ahead.
            if (entry && inv.outstanding > 0) this.count('read-ahead');
            inv.outstanding++;
            let result: unknown;
            try {
              await this.s.schedule(Promise.resolve(), `${port}.${method}`);
              await this.checkpoint(inv, index, false, stop);
              if (entry) calls.sent(entry);
              result = await (value as (...a: unknown[]) => unknown).apply(obj, args);
            } catch (error) {
              if (port === 'source') calls.recordThrottle(inv, error, args);
              throw error;
            } finally {
              inv.outstanding--;
              if (entry) calls.ended(entry);
            }
            if (port === 'registry') calls.registryReturned(inv, method, args);
            if (port === 'cursors') this.store.checkStored(method, args[1] as Cursor);
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

  /** Kills or freezes the invocation here when its stop or its timeout says so. */
  private async checkpoint(inv: Invocation, index: number, after: boolean, stop?: Stop): Promise<void> {
    if (inv.state === 'running' && inv.timedOut(this.h.clock.now())) {
      this.count('timed-out-frozen');
      this.end(inv);
      await inv.freeze();
      this.count('thawed');
    }
    if (!stop || stop.at !== index || stop.after !== after) return;
    this.count(`${stop.mode}-${after ? 'after' : 'before'}`);
    this.end(inv);
    if (stop.mode === 'killed') return inv.die();
    await inv.freeze();
    this.count('thawed');
  }

  /** The invocation stops here: its message goes back to the queue, its unsent calls never go. */
  private end(inv: Invocation): void {
    giveBack(inv, this.h);
    this.calls.dropUnsentCalls(inv);
  }
}
