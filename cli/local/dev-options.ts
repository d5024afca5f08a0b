// Options of `exchange-sync dev`, apart from the stack itself so the CLI can show its help without
// loading the stand-ins, the simulator and the handlers.
import type { OrganisationOptions } from './organisation-options.js';

export interface DevStackOptions {
  /** The simulated organisation, described as `local` and `simulator` describe it. */
  organisation: OrganisationOptions;
  /** The organisation's first mailboxes registered at start; 0 leaves the registry empty. */
  register: number;
  /** Seconds between two scheduler ticks. */
  tickSeconds: number;
  /**
   * Minutes between two syncs of a folder that the tick starts. A new mailbox is picked up at the
   * next tick whatever this is; `sync-now` syncs everything at once.
   */
  syncIntervalMinutes: number;
  workerConcurrency: number;
  handlerLogs: boolean;
}

export const DEFAULT_DEV_STACK: DevStackOptions = {
  // Small, so a mailbox's first sync takes seconds.
  organisation: { mailboxes: 3, foldersPerMailbox: 5, itemsPerMailbox: 200, seed: 1, latencyMs: 0 },
  register: 0,
  tickSeconds: 10,
  syncIntervalMinutes: 1,
  workerConcurrency: 4,
  handlerLogs: false,
};
