// When a cursor needs a new chain. Used by the scheduler (hierarchy cursors) and by the end of a
// hierarchy sync (folder cursors).
import type { CoreConfig } from '../config.js';
import type { Cursor } from '../model.js';

export function leaseIsLive(cursor: Cursor, now: number): boolean {
  return cursor.lease !== undefined && cursor.lease.until > now;
}

/**
 * Caught up and not synced for a sync interval (or never). Half a tick early counts: the sync
 * was stamped when it completed, after the tick that planned it, and the tick that finds it due
 * may come a few seconds early; without the tolerance it waits one tick more every time.
 */
export function isDue(cursor: Cursor, now: number, config: CoreConfig): boolean {
  const interval = config.syncIntervalMs - config.tickIntervalMs / 2;
  return (
    cursor.status === 'idle' &&
    cursor.stop === undefined &&
    !leaseIsLive(cursor, now) &&
    (cursor.lastSyncedAt === undefined || now - cursor.lastSyncedAt >= interval)
  );
}

/** A chain that died (lost message, dead worker) and that no live lease protects. */
export function isStuck(cursor: Cursor, now: number, config: CoreConfig): boolean {
  return (
    cursor.status === 'syncing' &&
    cursor.stop === undefined &&
    !leaseIsLive(cursor, now) &&
    now - cursor.updatedAt >= config.stuckAfterMs
  );
}

export function needsChain(cursor: Cursor, now: number, config: CoreConfig): boolean {
  return isDue(cursor, now, config) || isStuck(cursor, now, config);
}
