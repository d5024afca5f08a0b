// Test fake of ItemMirror: the same rules as the DynamoDB adapter (lib/core/mirror-rules.ts), one
// conditional write per item.
import { closedTo, collapseChanges, makesLive, nextMirrorRow } from '../mirror-rules.js';
import type { MirrorItem } from '../model.js';
import type { ApplyResult, ItemChange, ItemMirror, MirrorWrite } from '../ports.js';

const folderKey = (mailboxId: string, folderId: string) => `${mailboxId}\u0000${folderId}`;

export class InMemoryItemMirror implements ItemMirror {
  readonly folders = new Map<string, Map<string, MirrorItem>>();
  /** The version each closed folder was closed at (tombstoneFolder). */
  readonly closed = new Map<string, number>();
  /** Called before each row write; a test may throw from it to crash a worker mid-page. */
  beforeWrite?: (row: MirrorItem) => void;
  /** Called after each row write (an observer for invariants). */
  afterWrite?: (before: MirrorItem | undefined, after: MirrorItem) => void;

  private rowsOf(mailboxId: string, folderId: string): Map<string, MirrorItem> {
    const k = folderKey(mailboxId, folderId);
    let rows = this.folders.get(k);
    if (!rows) {
      rows = new Map();
      this.folders.set(k, rows);
    }
    return rows;
  }

  private put(rows: Map<string, MirrorItem>, row: MirrorItem): void {
    this.beforeWrite?.(row);
    const before = rows.get(row.itemId);
    rows.set(row.itemId, row);
    this.afterWrite?.(before, row);
  }

  async apply(write: MirrorWrite, changes: ItemChange[]): Promise<ApplyResult> {
    const rows = this.rowsOf(write.mailboxId, write.folderId);
    const result: ApplyResult = { written: 0, unchanged: 0, fenced: 0 };
    const closedVersion = this.closed.get(folderKey(write.mailboxId, write.folderId));
    for (const change of collapseChanges(changes)) {
      const existing = rows.get(change.itemId);
      const decision = nextMirrorRow(existing, change, write);
      if (decision.kind === 'write' && makesLive(existing, decision.row) && closedTo(closedVersion, write)) {
        result.fenced++;
      } else if (decision.kind === 'write') {
        this.put(rows, decision.row);
        result.written++;
      } else {
        result[decision.kind]++;
      }
    }
    return result;
  }

  private tombstoneWhere(write: MirrorWrite, select: (row: MirrorItem) => boolean): number {
    const rows = this.rowsOf(write.mailboxId, write.folderId);
    let count = 0;
    for (const row of [...rows.values()]) {
      if (row.deleted || row.pageVersion > write.pageVersion || !select(row)) continue;
      this.put(rows, { ...row, deleted: true, pageVersion: write.pageVersion, updatedAt: write.now });
      count++;
    }
    return count;
  }

  async tombstoneFolder(write: MirrorWrite): Promise<number> {
    const k = folderKey(write.mailboxId, write.folderId);
    this.closed.set(k, Math.max(this.closed.get(k) ?? write.pageVersion, write.pageVersion));
    return this.tombstoneWhere(write, () => true);
  }

  async sweep(write: MirrorWrite): Promise<number> {
    return this.tombstoneWhere(write, (row) => row.generation < write.generation);
  }

  async listLive(mailboxId: string, folderId: string): Promise<MirrorItem[]> {
    return [...this.rowsOf(mailboxId, folderId).values()]
      .filter((r) => !r.deleted)
      .map((r) => structuredClone(r));
  }
}
