// Where the baselines write what they receive: a careful user's table of items per folder (id ->
// changeKey) and a saved sync state per folder, written after every page as that user would
// (items first, then the state, so a crash resumes from the last saved page). Each page waits
// for the round trips the same writes cost on DynamoDB (BatchWriteItem of 25, 32 in flight, one
// PutItem for the state): the baseline pays for its writes as the engine does.
import { setTimeout as sleep } from 'node:timers/promises';
import { baselineWriteRoundTrips } from './latency-ports.js';

export interface BaselineChange {
  id: string;
  /** Undefined for a delete. */
  changeKey?: string;
  deleted?: boolean;
}

export interface BaselineTotals {
  pages: number;
  changes: number;
  /** Calls repeated after a transient failure (a reset connection). */
  retries: number;
}

export class BaselineStore {
  private readonly folders = new Map<string, Map<string, string | undefined>>();
  readonly totals: BaselineTotals = { pages: 0, changes: 0, retries: 0 };

  constructor(private readonly storeLatencyMs: number) {}

  /** Writes one page of a folder, then its new sync state. */
  async writePage(folderKey: string, changes: readonly BaselineChange[]): Promise<void> {
    this.totals.pages++;
    this.totals.changes += changes.length;
    if (this.storeLatencyMs > 0) await sleep(this.storeLatencyMs * baselineWriteRoundTrips(changes.length));
    const items = this.folders.get(folderKey) ?? new Map<string, string | undefined>();
    this.folders.set(folderKey, items);
    for (const change of changes) {
      if (change.deleted) items.delete(change.id);
      else items.set(change.id, change.changeKey ?? items.get(change.id));
    }
  }

  /**
   * A careful user's retry: a call that fails (under load a kept-alive connection can be reset)
   * is repeated up to twice, after 200 ms and 400 ms.
   */
  async retrying<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (attempt >= 2) throw error;
        this.totals.retries++;
        await sleep(200 * 2 ** attempt);
      }
    }
  }

  /** Folders whose item ids differ from the truth's (0 when the baseline synced correctly). */
  mismatches(truth: ReadonlyMap<string, readonly string[]>): number {
    let wrong = 0;
    for (const [folderKey, ids] of truth) {
      const held = this.folders.get(folderKey) ?? new Map();
      if (held.size !== ids.length || ids.some((id) => !held.has(id))) wrong++;
    }
    return wrong;
  }
}
