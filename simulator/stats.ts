// Request statistics and a bounded request log, so tests can assert what a client did: how many
// calls of each kind, how often it was throttled, how many sync calls it had in flight at once,
// and that it sent nothing to a mailbox before its back-off ended.

export interface RequestLogEntry {
  /** Epoch ms when the request arrived. */
  at: number;
  operation: string;
  /** The target mailbox (impersonated or own), when known. */
  mailbox?: string;
  anchorMailbox?: string;
  clientRequestId?: string;
  /** HTTP status sent (0 for a dropped connection). */
  status: number;
  /** NoError, or the error/fault code, or the injected fault. */
  outcome: string;
}

export interface StatsSnapshot {
  requests: Record<string, number>;
  throttled: { responseMessage: number; fault: number; budget: number };
  faults: Record<string, number>;
  unauthorized: number;
  maxConcurrentSyncCalls: Record<string, number>;
  inFlightSyncCalls: Record<string, number>;
  /** Graph requests answered 429 (MailboxConcurrency). */
  graphThrottled: number;
  /** Highest number of Graph requests in flight at once, per mailbox. */
  maxConcurrentGraphRequests: Record<string, number>;
  inFlightGraphRequests: Record<string, number>;
}

const LOG_LIMIT = 20_000;

export class SimulatorStats {
  private requests = new Map<string, number>();
  throttled = { responseMessage: 0, fault: 0, budget: 0 };
  private faults = new Map<string, number>();
  unauthorized = 0;
  private maxConcurrent = new Map<string, number>();
  private inFlight = new Map<string, number>();
  private log: RequestLogEntry[] = [];
  graphThrottled = 0;
  private readonly graphMax = new Map<string, number>();
  private readonly graphInFlight = new Map<string, number>();

  countRequest(operation: string): void {
    this.requests.set(operation, (this.requests.get(operation) ?? 0) + 1);
  }

  countFault(kind: string): void {
    this.faults.set(kind, (this.faults.get(kind) ?? 0) + 1);
  }

  inFlightSync(mailbox: string): number {
    return this.inFlight.get(mailbox) ?? 0;
  }

  enterSync(mailbox: string): void {
    const n = this.inFlightSync(mailbox) + 1;
    this.inFlight.set(mailbox, n);
    if (n > (this.maxConcurrent.get(mailbox) ?? 0)) this.maxConcurrent.set(mailbox, n);
  }

  leaveSync(mailbox: string): void {
    this.inFlight.set(mailbox, this.inFlightSync(mailbox) - 1);
  }

  inFlightGraph(mailbox: string): number {
    return this.graphInFlight.get(mailbox) ?? 0;
  }

  enterGraph(mailbox: string): void {
    const n = this.inFlightGraph(mailbox) + 1;
    this.graphInFlight.set(mailbox, n);
    if (n > (this.graphMax.get(mailbox) ?? 0)) this.graphMax.set(mailbox, n);
  }

  leaveGraph(mailbox: string): void {
    this.graphInFlight.set(mailbox, this.inFlightGraph(mailbox) - 1);
  }

  record(entry: RequestLogEntry): void {
    this.log.push(entry);
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
  }

  /** The request log (oldest first), optionally for one mailbox. */
  requestLog(mailbox?: string): RequestLogEntry[] {
    const m = mailbox?.toLowerCase();
    return m === undefined ? this.log.slice() : this.log.filter((e) => e.mailbox === m);
  }

  /** Requests for `mailbox` that arrived before `time` (epoch ms), e.g. during a back-off. */
  requestsBefore(mailbox: string, time: number, since = 0): RequestLogEntry[] {
    return this.requestLog(mailbox).filter((e) => e.at >= since && e.at < time);
  }

  snapshot(): StatsSnapshot {
    return {
      requests: Object.fromEntries(this.requests),
      throttled: { ...this.throttled },
      faults: Object.fromEntries(this.faults),
      unauthorized: this.unauthorized,
      maxConcurrentSyncCalls: Object.fromEntries(this.maxConcurrent),
      inFlightSyncCalls: Object.fromEntries(this.inFlight),
      graphThrottled: this.graphThrottled,
      maxConcurrentGraphRequests: Object.fromEntries(this.graphMax),
      inFlightGraphRequests: Object.fromEntries(this.graphInFlight),
    };
  }

  reset(): void {
    this.requests.clear();
    this.throttled = { responseMessage: 0, fault: 0, budget: 0 };
    this.faults.clear();
    this.unauthorized = 0;
    this.maxConcurrent.clear();
    this.log = [];
    this.graphThrottled = 0;
    this.graphMax.clear();
  }
}
