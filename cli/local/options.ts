// Options of the local run, apart from the run itself so the CLI can show its help without
// loading the stand-ins, the simulator and the handlers.

export interface LocalRunOptions {
  mailboxes: number;
  /** Custom folders per mailbox, besides the well-known ones. */
  foldersPerMailbox: number;
  itemsPerMailbox: number;
  /** Round 1 is the full sync; every further round mutates first. */
  rounds: number;
  /** Random mutations before each incremental round. */
  mutations: number;
  pageSize: number;
  concurrencyPerMailbox: number;
  /** Simulated EWS latency per call. */
  latencyMs: number;
  /** Share of EWS calls that fail (503, transient 500, truncated, dropped) or are throttled. */
  faultRate: number;
  seed: number;
  /** Worker invocations running at once (the event source's maximum concurrency). */
  workerConcurrency: number;
  batchSize: number;
  /** Give up waiting for a round to settle after this long. */
  roundTimeoutMs: number;
  /** Keep the handlers' JSON logs (stdout). Off by default: the progress display owns the terminal. */
  handlerLogs: boolean;
  /** Which protocol the mailboxes are synced through: EWS, Graph, or alternately both. */
  source: 'ews' | 'graph' | 'mixed';
}

export const DEFAULT_LOCAL_RUN: LocalRunOptions = {
  mailboxes: 3,
  foldersPerMailbox: 20,
  itemsPerMailbox: 1700,
  rounds: 2,
  mutations: 500,
  pageSize: 100,
  concurrencyPerMailbox: 4,
  latencyMs: 0,
  faultRate: 0,
  seed: 1,
  workerConcurrency: 8,
  batchSize: 5,
  roundTimeoutMs: 10 * 60_000,
  handlerLogs: false,
  source: 'ews',
};
