// What a use case reports. Handlers log these and turn them into metrics; the core never logs.
import type { ApplyResult } from './ports.js';

export type PageOutcomeKind =
  /** The page was applied and the cursor advanced; a follow-up job was sent. */
  | 'advanced'
  /** The page was applied and the chain is complete (cursor idle). */
  | 'completed'
  /** The mailbox or the cursor does not exist (removed by an operator): job acknowledged. */
  | 'dropped-missing'
  /** The mailbox is parked: job acknowledged, nothing called. */
  | 'dropped-parked'
  /** The folder is gone or excluded by the filter. */
  | 'dropped-gone'
  /** The chain moved on without this job (late or duplicate message). */
  | 'dropped-stale'
  /** Another copy of this very job holds a live lease: re-sent for after the lease ends. */
  | 'duplicate'
  /** This page was already done (crash after the advance): its follow-up was sent again. */
  | 'resent-follow-up'
  /** This chain was already complete (crash after the advance): its after-completion step ran again. */
  | 'redone-completion'
  /** The mailbox is backed off: the same job was re-sent with a delay, nothing called. */
  | 'backed-off'
  /** All the mailbox's slots are busy: the same job was re-sent with a short delay. */
  | 'no-slot'
  /** The server throttled us: the mailbox is paused, the page will be retried after the pause. */
  | 'throttled'
  /** Transient or protocol error: retried with back-off. */
  | 'retrying'
  /** Transient errors exhausted the attempts: the chain stopped (the next tick retries). */
  | 'gave-up'
  /** The SyncState was rejected: a full resync of the folder was started. */
  | 'resync'
  /** The folder no longer exists: its items were tombstoned. */
  | 'gone'
  /** Permanent or auth error: the mailbox was parked. */
  | 'parked'
  /** The server returned the same SyncState while claiming more changes: chain stopped. */
  | 'not-advancing'
  /** The chain reached maxHops: stopped; the next tick resumes from the stored SyncState. */
  | 'max-hops'
  /** Our lease was lost before we could advance (we were too slow): no follow-up. */
  | 'lease-lost'
  /** The hierarchy removed or excluded the folder while this page ran. */
  | 'stopped'
  /** Too little time left in the invocation: the page was handed to a new job untouched. */
  | 'deferred';

export interface PageError {
  kind: string;
  code: string;
  message: string;
}

export interface PageOutcome {
  outcome: PageOutcomeKind;
  type: 'folder' | 'hierarchy';
  mailboxId: string;
  /** The folder id, or HIERARCHY_CURSOR_ID for hierarchy pages. */
  folderId: string;
  jobId: string;
  hop: number;
  /** Server calls made (0 or 1). */
  pages: number;
  /** Item writes of this page (zeros for hierarchy pages). */
  changes: ApplyResult;
  /** Hierarchy pages: folder changes received. */
  folderChanges?: number;
  /** Items tombstoned (folder gone) or swept (end of a resync). */
  tombstoned?: number;
  swept?: number;
  /** Jobs sent to the queue (follow-up, retry, or the first job of each lane a hierarchy sync started). */
  enqueued: number;
  /** A completed hierarchy: the folders that needed a chain, started or waiting in lanes (lanes.ts). */
  foldersDue?: number;
  /** Delay of the re-sent job, when there was one. */
  delaySeconds?: number;
  /** Mailbox pause decided because of a throttle. */
  backoffMs?: number;
  /** Correlates with the mail source's logs (client-request-id). */
  requestId?: string;
  /**
   * On a completed folder chain: how long the mirror of the folder could have been behind the
   * server (since the previous completed sync, or since the folder was found).
   */
  lagMs?: number;
  /** The cursor version this page held (its fence), when it took the lease. */
  fence?: number;
  error?: PageError;
}

export interface FanOutOutcome {
  outcome: 'completed' | 'continued' | 'max-hops';
  /** Mailboxes parked for an intermittent reason that this tick unparked to try again. */
  rechecked?: number;
  mailboxesScanned: number;
  hierarchyJobs: number;
  /** Hierarchy cursors created for mailboxes seen for the first time. */
  cursorsCreated: number;
  enqueued: number;
  /** Registry page token handed to the continuation job. */
  next?: string;
}

export const NO_CHANGES: ApplyResult = Object.freeze({ written: 0, unchanged: 0, fenced: 0 });
