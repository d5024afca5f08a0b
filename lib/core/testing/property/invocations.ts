// Lambda invocations as the property test models them. An invocation runs one job; at each port
// call it may be killed (the environment dies: it never runs again) or frozen (an early timeout
// returned the handler while the page was pending: the environment is frozen with the page in it
// and thaws at a later invocation, long after its lease expired). A frozen page's abort signal
// has fired, so its server calls are refused, but its store writes go on when it thaws. An
// invocation that ends without acknowledging its message gives it back to the queue (giveBack).
import type { SyncJob } from '../../ports.js';
import type { Harness } from '../harness.js';

export const INVOCATION_TIMEOUT_MS = 60_000;
/** SQS visibility timeout: an unacknowledged message comes back after this. */
export const VISIBILITY_MS = 360_000;

export class Invocation {
  state: 'running' | 'frozen' | 'dead' = 'running';
  /** The invocation whose time the page runs in: its own, or the one it thawed in. */
  runningSince: number;
  /** Sequence number of the latest mailbox read (registry.get) this page made. */
  lastMailboxRead = -1;
  /** A throttle answer this page got and has not yet recorded as the mailbox's back-off. */
  unrecordedPause?: { mailboxId: string; until: number };
  /** Port calls this page has sent and not yet had answered (more than one: a read ahead). */
  outstanding = 0;
  /** The message went back to the queue (timeout or death): its outcome changes nothing. */
  returned = false;
  readonly controller = new AbortController();
  private resume?: () => void;

  constructor(
    readonly job: SyncJob,
    readonly startedAt: number,
  ) {
    this.runningSince = startedAt;
  }

  timedOut(now: number): boolean {
    return now - this.runningSince >= INVOCATION_TIMEOUT_MS;
  }

  /** Waits until thawed. */
  freeze(): Promise<void> {
    this.state = 'frozen';
    this.controller.abort(new DOMException('early timeout', 'TimeoutError'));
    return new Promise((resolve) => {
      this.resume = resolve;
    });
  }

  thaw(now: number): void {
    if (this.state !== 'frozen') return;
    this.state = 'running';
    this.runningSince = now;
    this.resume?.();
  }

  /** Never returns. */
  die(): Promise<never> {
    this.state = 'dead';
    return new Promise<never>(() => {});
  }
}

/** The invocation ended (timeout or death): SQS delivers its message again later. */
export function giveBack(inv: Invocation, h: Pick<Harness, 'pending' | 'clock'>): void {
  if (inv.returned) return;
  inv.returned = true;
  h.pending.push({ job: inv.job, dueAt: Math.max(h.clock.now(), inv.startedAt + VISIBILITY_MS) });
}
