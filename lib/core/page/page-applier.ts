// What the two page use cases (folder items, folder hierarchy) supply to the shared page skeleton,
// and what the skeleton hands them back: a session for the page it holds. Types only, plus the
// outcome every path of a page starts from.
import type { CoreDeps, PageContext } from '../deps.js';
import type { PageJob } from '../jobs/builders.js';
import type { Cursor, Mailbox } from '../model.js';
import { NO_CHANGES, type PageError, type PageOutcome } from '../outcome.js';

/**
 * What a page holds of its mailbox slot (see mailbox-gate.ts). The slot is taken under the name
 * of the job that follows the page (`successorId`: its follow-up, or what a completed chain
 * starts), so it passes to that job without another write.
 */
export interface SlotHold {
  /** The id the page's successor job gets; the slot is held under its claim name. */
  readonly successorId: string;
  /**
   * Gives the mailbox slot back. The slot bounds calls in flight at the server, so it is freed as
   * soon as the call returns when nothing follows: holding it through the item writes would idle
   * the mailbox's allowance while DynamoDB works. Idempotent; a no-op once the successor has it.
   */
  readonly freeSlot: () => Promise<void>;
  /** The successor was sent: leave the slot to it (it claims it by name). */
  readonly keepSlotForSuccessor: () => Promise<void>;
  /**
   * The successor `jobId` runs next in this invocation: the slot passes to it in memory. Returns
   * whether it did (a page that holds no slot, or no longer holds it, has none to pass).
   */
  readonly keepSlotInline: (jobId: string) => boolean;
}

/** A page in progress: the job, its mailbox, and the cursor as this page holds it. */
export interface PageSession extends SlotHold {
  readonly deps: CoreDeps;
  readonly job: PageJob;
  readonly mailbox: Mailbox;
  readonly owner: string;
  readonly requestId: string;
  /**
   * What this page's writes record as done (`doneJobId`): the job of the delivered message, which
   * is this page's own unless it runs inline after another page of the same delivery.
   */
  readonly doneJobId: string;
  readonly now: number;
  /** The lease version: the fence of every item write of this page. */
  readonly fence: number;
  /**
   * The page holds no lease: it called before taking one and the answer was "nothing new", so it
   * writes no item and its one cursor write is conditional on the version it read.
   */
  readonly unleased?: true;
  /** The cursor as last written by this page. */
  cursor: Cursor;
  /** A write of this page failed because the folder was stopped (not a lost lease). */
  stopped?: boolean;
  /** The server said the chain is complete and the lane went on (`startOnCompleteCall`). */
  laneWentOn?: boolean;
  readonly signal?: AbortSignal;
  /** For the call: told when the server's answer begins to arrive (page/early-read.ts). */
  readonly onAnswer?: () => void;
}

export interface FetchedPage {
  syncState: string;
  complete: boolean;
  changeCount: number;
}

/** A source's page as the orchestrator reads it, the page itself kept for the apply. */
export function fetchedPage<T extends { syncState: string; more: boolean; changes: readonly unknown[] }>(
  page: T,
): FetchedPage & { page: T } {
  return { page, syncState: page.syncState, complete: !page.more, changeCount: page.changes.length };
}

/** Extra outcome fields an applier reports. */
export type OutcomeDetails = Partial<
  Pick<
    PageOutcome,
    'changes' | 'folderChanges' | 'tombstoned' | 'swept' | 'enqueued' | 'foldersDue' | 'error'
  >
>;

export interface PageApplier<P extends FetchedPage> {
  readonly type: PageJob['type'];
  cursorIdOf(job: PageJob): string;
  /** A missing cursor: create one (hierarchy) or give up (folder: undefined). */
  missingCursor(deps: CoreDeps, job: PageJob, now: number): Promise<Cursor | undefined>;
  /**
   * Items may have been applied without the cursor advancing (the lease is taken over from a
   * holder whose lease expired, or a write failed after the apply began). Returns the cursor
   * the next page should start from.
   */
  afterDirtyStop(cursor: Cursor): Partial<Cursor>;
  /** The cursor fields after an invalid SyncState (start over from scratch). */
  resetForResync(cursor: Cursor): Partial<Cursor>;
  /**
   * The page may call before it takes the lease (a chain's first page, likely idle): when the
   * answer is "nothing new" it takes none ("Idle pages" in PROTOCOL.md).
   */
  mayCallBeforeLease?(cursor: Cursor, job: PageJob): boolean;
  /** A chain about to start on `cursor` should start over from scratch (a periodic resync). */
  resyncDue?(deps: CoreDeps, mailbox: Mailbox, cursor: Cursor, job: PageJob, now: number): boolean;
  /** Fields the advance writes besides the protocol's own (`base` is the row it builds on). */
  advanceFields?(session: PageSession, base: Cursor): Partial<Cursor>;
  fetch(session: PageSession): Promise<P>;
  /** Applies the page's changes; runs before the cursor advances, so it must be idempotent. */
  apply(session: PageSession, page: P): Promise<OutcomeDetails>;
  /** Last page of a chain, before the advance (e.g. the sweep that ends a resync). */
  beforeComplete?(session: PageSession): Promise<OutcomeDetails>;
  /**
   * After the advance that completed a chain (e.g. start the folder jobs, or the next folder of
   * a lane). A job it sends under `session.successorId` gets the page's slot; it may leave that
   * job to run next in this invocation instead (`context.chain.next`, with `keepSlotInline`)
   * when `mayRunInline` allows.
   */
  afterComplete?(session: PageSession, context: PageContext): Promise<OutcomeDetails>;
  /** Whether afterComplete may start a job for this job's completion (the slot is kept for it). */
  startsMoreOnCompletion(job: PageJob): boolean;
  /**
   * The server said the chain is complete: starts what needs none of the page's writes, before
   * them (a job it sends under `session.successorId` gets the slot). May run again if the page
   * is retried; what it sends must be harmless twice. It may leave the job to run next in this
   * invocation instead (`context.chain.next`, with `keepSlotInline`) when `mayRunInline` allows.
   */
  startOnCompleteCall?(session: PageSession, context: PageContext): Promise<OutcomeDetails>;
  /** The server says the folder does not exist. */
  onFolderNotFound(session: PageSession, error: PageError): Promise<PageOutcome>;
}

/** An outcome before its kind is known: what every path of a page reports. */
export type OutcomeBase = Omit<PageOutcome, 'outcome'>;

export function baseOutcome(job: PageJob, folderId: string): OutcomeBase {
  return {
    type: job.type,
    mailboxId: job.mailboxId,
    folderId,
    jobId: job.jobId,
    hop: job.hop,
    pages: 0,
    changes: NO_CHANGES,
    enqueued: 0,
  };
}

/** The session of a page that holds `cursor` (its version is the fence of the page's writes). */
export function openSession(
  deps: CoreDeps,
  job: PageJob,
  mailbox: Mailbox,
  context: PageContext,
  held: { owner: string; now: number; cursor: Cursor; unleased?: true },
  slot: SlotHold,
): PageSession {
  const { owner, now, cursor, unleased } = held;
  const { successorId, freeSlot, keepSlotForSuccessor, keepSlotInline } = slot;
  return {
    deps,
    job,
    mailbox,
    owner,
    requestId: deps.random.id(),
    doneJobId: context.chain?.deliveredJobId ?? job.jobId,
    now,
    fence: cursor.version,
    cursor,
    ...(unleased ? { unleased } : {}),
    signal: context.signal,
    successorId,
    freeSlot,
    keepSlotForSuccessor,
    keepSlotInline,
  };
}
