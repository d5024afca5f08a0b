// Test fake of ItemMirror, held to the DynamoDB adapter by the shared contract suite
// (test/contracts/item-mirror.contract.ts). It works the way the adapter does: read the rows,
// decide with the shared rules (lib/core/mirror/mirror-rules.ts), then write each row with a condition
// checked at write time. With `yieldBetweenWrites` set, other work can run between those steps, as
// it does between the adapter's parallel writes; without it the fake runs straight through.
import { closedTo, collapseChanges, makesLive, nextMirrorRow, tombstoneOf } from '../mirror/mirror-rules.js';
import type { MirrorItem } from '../model.js';
import type { MirrorEraser } from '../operator/erasure-ports.js';
import type { ApplyResult, ItemChange, ItemMirror, MirrorWrite } from '../ports.js';

const folderKey = (mailboxId: string, folderId: string) => `${mailboxId}\u0000${folderId}`;

export class InMemoryItemMirror implements ItemMirror, MirrorEraser {
  readonly folders = new Map<string, Map<string, MirrorItem>>();
  /** The version each closed folder was closed at (tombstoneFolder). */
  readonly closed = new Map<string, number>();
  /** Called before each row write; a test may throw from it to crash a worker mid-page. */
  beforeWrite?: (row: MirrorItem) => void;
  /** Called after each row write (an observer for invariants). */
  afterWrite?: (before: MirrorItem | undefined, after: MirrorItem) => void;
  /** Awaited after the read and before each conditional write (lets a test interleave them). */
  yieldBetweenWrites?: () => Promise<void>;

  private rowsOf(mailboxId: string, folderId: string): Map<string, MirrorItem> {
    const k = folderKey(mailboxId, folderId);
    let rows = this.folders.get(k);
    if (!rows) {
      rows = new Map();
      this.folders.set(k, rows);
    }
    return rows;
  }

  /** Writes `row` if `condition` holds on the row stored now; true when written. */
  private async put(
    rows: Map<string, MirrorItem>,
    row: MirrorItem,
    condition: (stored: MirrorItem | undefined) => boolean,
  ): Promise<boolean> {
    await this.yieldBetweenWrites?.();
    const before = rows.get(row.itemId);
    if (!condition(before)) return false;
    this.beforeWrite?.(row);
    rows.set(row.itemId, row);
    this.afterWrite?.(before, row);
    return true;
  }

  async apply(write: MirrorWrite, changes: ItemChange[]): Promise<ApplyResult> {
    const k = folderKey(write.mailboxId, write.folderId);
    const rows = this.rowsOf(write.mailboxId, write.folderId);
    const result: ApplyResult = { written: 0, unchanged: 0, fenced: 0 };
    const decided: { row: MirrorItem; guarded: boolean }[] = [];
    for (const change of collapseChanges(changes)) {
      const existing = rows.get(change.itemId);
      const decision = nextMirrorRow(existing, change, write);
      if (decision.kind === 'write')
        decided.push({ row: decision.row, guarded: makesLive(existing, decision.row) });
      else result[decision.kind]++;
    }
    for (const { row, guarded } of decided) {
      // The adapter's conditions: the fence, and for a row becoming live, the folder not closed.
      const written = await this.put(
        rows,
        row,
        (stored) =>
          (!stored || stored.pageVersion <= write.pageVersion) &&
          !(guarded && closedTo(this.closed.get(k), write)),
      );
      result[written ? 'written' : 'fenced']++;
    }
    return result;
  }

  private async tombstoneWhere(write: MirrorWrite, select: (row: MirrorItem) => boolean): Promise<number> {
    const rows = this.rowsOf(write.mailboxId, write.folderId);
    const live = [...rows.values()].filter(
      (row) => !row.deleted && row.pageVersion <= write.pageVersion && select(row),
    );
    let count = 0;
    for (const row of live) {
      const tombstone = tombstoneOf(row, { pageVersion: write.pageVersion, updatedAt: write.now });
      const still = (stored: MirrorItem | undefined) =>
        stored !== undefined && !stored.deleted && stored.pageVersion <= write.pageVersion && select(stored);
      if (await this.put(rows, tombstone, still)) count++;
    }
    return count;
  }

  /** Closes the folder to pages at or below the write's version (only ever raised). */
  private async closeTo(write: MirrorWrite): Promise<void> {
    await this.yieldBetweenWrites?.();
    const k = folderKey(write.mailboxId, write.folderId);
    this.closed.set(k, Math.max(this.closed.get(k) ?? write.pageVersion, write.pageVersion));
  }

  async tombstoneFolder(write: MirrorWrite): Promise<number> {
    // Close first, then tombstone what is live: as the adapter does.
    await this.closeTo(write);
    return this.tombstoneWhere(write, () => true);
  }

  async sweep(write: MirrorWrite): Promise<number> {
    await this.closeTo(write);
    return this.tombstoneWhere(write, (row) => row.generation < write.generation);
  }

  async listLive(mailboxId: string, folderId: string): Promise<MirrorItem[]> {
    return [...this.rowsOf(mailboxId, folderId).values()]
      .filter((r) => !r.deleted)
      .map((r) => structuredClone(r));
  }

  async countFolderRows(mailboxId: string, folderId: string): Promise<number> {
    return this.folders.get(folderKey(mailboxId, folderId))?.size ?? 0;
  }

  async deleteFolderRows(mailboxId: string, folderId: string): Promise<number> {
    const k = folderKey(mailboxId, folderId);
    const deleted = this.folders.get(k)?.size ?? 0;
    this.folders.delete(k);
    // The closed marker goes last, as in the adapter.
    await this.yieldBetweenWrites?.();
    this.closed.delete(k);
    return deleted;
  }
}
