// What a page does about a failure, decided by the error's kind alone (never by message text),
// the job's attempt, and whether the page may have written items. A pure function: no store, no
// clock, no random; reaction-executor.ts carries a reaction out. Jittered delays are drawn by
// the executor, after the cursor write that hands the page on: a draw made here would be made
// also for pages whose write then fails, and the random sequence a seeded run replays would move.
import type { CoreConfig } from '../config.js';
import { MailSourceError, type MailSourceErrorKind } from '../errors.js';
import type { PageJob } from '../jobs/builders.js';
import type { PageError } from '../outcome.js';
import { type Pause, serverText } from './throttle.js';

export type ClassifiedError = PageError & { kind: MailSourceErrorKind; retryAfterMs?: number };

export function toPageError(error: unknown): ClassifiedError {
  if (error instanceof MailSourceError) {
    const classified: ClassifiedError = {
      kind: error.kind,
      code: serverText(error.code),
      message: serverText(error.message),
    };
    if (error.retryAfterMs !== undefined) classified.retryAfterMs = error.retryAfterMs;
    return classified;
  }
  // Anything else out of the mail source (abort, a bug in an adapter) is retried, never fatal.
  const name = error instanceof Error ? error.name : 'Unknown';
  return {
    kind: 'transient',
    code: `Unexpected${name}`,
    message: serverText(error instanceof Error ? error.message : String(error)),
  };
}

export type Reaction =
  /** Throttled: the pause is recorded already; the same page, same attempt, comes after it. */
  | { do: 'throttle'; pauseMs: number }
  /**
   * The same page again after a jittered exponential back-off by `attempt`. `dirty`: items may
   * have been written without the cursor advancing, so the retry starts where the applier's
   * `afterDirtyStop` says (a resync of the folder).
   */
  | { do: 'retry'; attempt: number; dirty: boolean }
  /** The retries are used up: the chain ends, idle; the next tick starts it again. */
  | { do: 'stop'; reason: 'RetriesExhausted' }
  /**
   * The SyncState is refused: start over from scratch (applier's `resetForResync`), attempt 0,
   * after a random delay up to `resyncJitterMs`.
   */
  | { do: 'resync' }
  /** The folder no longer exists: the applier says what that means (`onFolderNotFound`). */
  | { do: 'gone' }
  /**
   * The mailbox waits for an operator; the chain ends. `byThrottle`: the throttle's pause parked
   * it already (the server asked for more than `maxBackoffMs`); otherwise the error parks it.
   */
  | { do: 'park'; byThrottle: boolean };

/** What the page knows besides the error. */
export interface PageFacts {
  /** The failure came after the item writes began (apply, sweep or advance), not from the call. */
  dirty: boolean;
  /** For a throttle answer: the pause already recorded as the mailbox's back-off. */
  pause?: Pause;
}

export function reactionTo(
  error: Pick<ClassifiedError, 'kind'>,
  job: Pick<PageJob, 'attempt'>,
  facts: PageFacts,
  config: Pick<CoreConfig, 'transientRetry'>,
): Reaction {
  const attempt = (job.attempt ?? 0) + 1;
  // Whatever failed after the writes began: only a resync can find items created and deleted on
  // the server before the retry (no Delete is ever sent for them), and it is never given up.
  if (facts.dirty) return { do: 'retry', attempt, dirty: true };
  switch (error.kind) {
    case 'throttled': {
      // The pause must exist before the slot is freed (mailbox-gate.ts): it comes in recorded.
      if (!facts.pause) throw new TypeError('a throttle reaction needs the pause recorded for it');
      const { pauseMs, parkedReason } = facts.pause;
      return parkedReason ? { do: 'park', byThrottle: true } : { do: 'throttle', pauseMs };
    }
    case 'transient':
    case 'protocol':
      return attempt >= config.transientRetry.maxAttempts
        ? { do: 'stop', reason: 'RetriesExhausted' }
        : { do: 'retry', attempt, dirty: false };
    case 'invalidSyncState':
      return { do: 'resync' };
    case 'folderNotFound':
      return { do: 'gone' };
    case 'auth':
    case 'permanent':
      return { do: 'park', byThrottle: false };
  }
}
