// A throttle answer, whatever call it answered, becomes the mailbox's shared back-off, so that no
// worker calls the server inside the pause. The pause is bounded: a server asking for more than
// `maxBackoffMs` (a Retry-After of years) is cut to it and the mailbox is parked with the reason,
// for an operator to look at, instead of circulating paused jobs for as long as it asked.
import type { CoreDeps } from '../deps.js';

export interface Pause {
  /** The pause recorded, jitter included. */
  pauseMs: number;
  /** Set when the server asked for more than the longest pause honoured: the mailbox is parked. */
  parkedReason?: string;
}

export async function pauseMailbox(
  deps: CoreDeps,
  mailboxId: string,
  error: { retryAfterMs?: number },
): Promise<Pause> {
  const { config, random, registry, clock } = deps;
  const asked = error.retryAfterMs ?? config.defaultThrottleMs;
  const pauseMs = Math.round(Math.min(asked, config.maxBackoffMs) + random.next() * config.throttleJitterMs);
  // The server's pause runs from its answer, not from the page's start (which came several
  // store round trips earlier): measured from `now`, the pause would end too soon.
  await registry.extendBackoff(mailboxId, clock.now() + pauseMs);
  if (asked <= config.maxBackoffMs) return { pauseMs };
  const parkedReason =
    `ThrottledTooLong: the server asked for a pause of ${Math.round(asked / 1000)} s ` +
    `(at most ${Math.round(config.maxBackoffMs / 1000)} s is honoured)`;
  await registry.park(mailboxId, parkedReason, clock.now());
  return { pauseMs, parkedReason };
}

/** Server text kept in cursors, the registry and logs: enough to diagnose, never a whole page. */
export const MAX_SERVER_TEXT = 500;

export function serverText(text: string): string {
  return text.length <= MAX_SERVER_TEXT ? text : `${text.slice(0, MAX_SERVER_TEXT)}… (${text.length} chars)`;
}
