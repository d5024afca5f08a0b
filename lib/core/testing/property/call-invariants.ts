// The property test's as-you-go checks on the server calls an invocation makes: no more sync
// calls in flight for a mailbox than its cap, no call inside a back-off its worker could have
// seen, and a throttle answer recorded as the mailbox's back-off before the invocation does
// anything else. They need what was in flight and what was recorded when, so they keep it here.
import { MailSourceError } from '../../errors.js';
import type { Mailbox } from '../../model.js';
import type { Harness } from '../harness.js';
import type { Invocation } from './invocations.js';

/** A server call counted against the mailbox's cap from when the engine sends it. */
export interface InFlightCall {
  mailboxId: string;
  sync: boolean;
  inv: Invocation;
  /** It reached the server (past the network and its invocation's last chance to die). */
  sent: boolean;
}

const mailboxIdOf = (args: unknown[]) => (args[0] as { mailbox: Mailbox }).mailbox.mailboxId;

export class CallInvariants {
  /** Server calls in flight, with the mailbox they are for. */
  private readonly inFlight = new Set<InFlightCall>();
  /** Pauses the workers recorded per mailbox: when (event sequence) and until when (clock). */
  private readonly pauses = new Map<string, { recordedAt: number; until: number }[]>();
  /** Orders mailbox reads and recorded pauses. */
  private sequence = 0;

  constructor(
    private readonly h: Harness,
    private readonly violations: string[],
    private readonly count: (key: string) => void,
  ) {}

  /** The engine sends a server call (undefined when its invocation's signal already fired). */
  serverCall(inv: Invocation, args: unknown[]): InFlightCall | undefined {
    if (inv.controller.signal.aborted) return undefined;
    const { h } = this;
    const mailboxId = mailboxIdOf(args);
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

  /** The call left the network for the server, unless its invocation's signal fired on the way. */
  sent(entry: InFlightCall): void {
    // Refused unsent when its invocation's signal fired on the way (a freeze).
    if (entry.inv.controller.signal.aborted) this.inFlight.delete(entry);
    entry.sent = true;
  }

  /** The call was answered (or failed): it no longer counts. */
  ended(entry: InFlightCall): void {
    this.inFlight.delete(entry);
  }

  /**
   * An invocation that dies or freezes never sends the server calls still on their way out (a
   * frozen page's calls are refused when it thaws: its signal fired): they stop counting.
   */
  dropUnsentCalls(inv: Invocation): void {
    for (const entry of this.inFlight) if (entry.inv === inv && !entry.sent) this.inFlight.delete(entry);
  }

  recordThrottle(inv: Invocation, error: unknown, args: unknown[]): void {
    if (!(error instanceof MailSourceError) || error.kind !== 'throttled') return;
    inv.unrecordedPause = {
      mailboxId: mailboxIdOf(args),
      until: this.h.clock.now() + (error.retryAfterMs ?? 0),
    };
  }

  /**
   * A throttle answer must be recorded as the mailbox's back-off before its invocation does
   * anything else with the world (whatever call it answered, GetFolder included).
   */
  checkPauseRecorded(inv: Invocation, port: string, method: string, args: unknown[]): void {
    const pause = inv.unrecordedPause;
    if (!pause) return;
    if (port === 'registry' && method === 'extendBackoff') {
      if (args[0] === pause.mailboxId && (args[1] as number) >= pause.until) inv.unrecordedPause = undefined;
      return;
    }
    this.violations.push(`a throttle answer for ${pause.mailboxId} not recorded before ${port}.${method}`);
    inv.unrecordedPause = undefined;
  }

  /** A registry call returned: a mailbox read (what the worker could see) or a pause recorded. */
  registryReturned(inv: Invocation, method: string, args: unknown[]): void {
    if (method === 'get') inv.lastMailboxRead = ++this.sequence;
    if (method === 'extendBackoff') this.recordPause(args);
  }

  private recordPause(args: unknown[]): void {
    const mailboxId = args[0] as string;
    const list = this.pauses.get(mailboxId) ?? [];
    list.push({ recordedAt: ++this.sequence, until: args[1] as number });
    this.pauses.set(mailboxId, list);
  }
}
