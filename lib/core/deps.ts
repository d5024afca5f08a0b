import type { CoreConfig } from './config.js';
import type { PageJob } from './jobs/builders.js';
import type { Cursor } from './model.js';
import type { PageOutcome } from './outcome.js';
import type { EarlyRead } from './page/early-read.js';
import type { ReadAhead } from './page/read-ahead.js';
import type { InlineSlot } from './page/slot-hold.js';
import type {
  Clock,
  CursorStore,
  ItemMirror,
  MailboxRegistry,
  MailSource,
  Random,
  WorkQueue,
} from './ports.js';

/** Everything a use case needs; handlers build it once per container. */
export interface CoreDeps {
  mailSource: MailSource;
  registry: MailboxRegistry;
  cursors: CursorStore;
  mirror: ItemMirror;
  queue: WorkQueue;
  clock: Clock;
  random: Random;
  config: CoreConfig;
}

/** What the handler knows about the invocation running a page. */
export interface PageContext {
  /** Identifies the invocation (e.g. the Lambda request id); leases and slots are held in its name. */
  owner: string;
  /** Milliseconds left before the invocation is killed. */
  remainingMs(): number;
  /** Aborted when the invocation is about to run out of time. */
  signal?: AbortSignal;
  /**
   * Reports the outcome of each page an invocation ran before its last one, when it runs several
   * pages of a chain (`pagesPerInvocation`); the last is returned as always. A context without it
   * runs one page per delivery, so no outcome goes unreported.
   */
  onOutcome?(outcome: PageOutcome): void;
  /** Set by the dispatch for the pages of one delivery (page/inline-chain.ts); handlers leave it out. */
  chain?: InlineChain;
}

/** The pages one delivery runs in a row (page/inline-chain.ts). */
export interface InlineChain {
  /** The job of the delivered message: what the pages' writes record as done (`doneJobId`). */
  readonly deliveredJobId: string;
  /** Pages run in this delivery so far, the current one included. */
  pages: number;
  /** The follow-up the current page left to run next in this invocation instead of sending it. */
  next?: PageJob;
  /** The follow-up's server call, started while the current page writes (page/read-ahead.ts). */
  ahead?: ReadAhead;
  /** The mailbox slot the current page passed to `next` in memory (page/slot-hold.ts). */
  slot?: InlineSlot;
  /**
   * The cursor as the current page's advance wrote it, for `next` to start from instead of
   * reading it again (its lease is a conditional write on the version, so a row changed since
   * fails it and is read afresh).
   */
  cursor?: { forJobId: string; cursor: Cursor };
  /** The mailbox read started when the last call's answer began to arrive (page/early-read.ts). */
  earlyRead?: EarlyRead;
  /** Early reads of this run that went stale before their call, in a row (a few: no more). */
  staleEarlyReads?: number;
  /** A page of this run is waiting for its call's answer (its own or the one read ahead). */
  awaitingAnswer?: boolean;
  /** The mailbox of an answer that arrived while no page waited (its early read not started). */
  answeredUnread?: string;
}
