// Test fake of CursorStore with the adapter's conditional-write semantics, held to the DynamoDB
// adapter by the shared contract suite (test/contracts/cursor-store.contract.ts).
import { applyCursorWrite, assertResumable, factsWrite, pageWrite, wholeRowWrite } from '../cursor-write.js';
import type { Cursor } from '../model.js';
import type { CursorEraser } from '../operator/erasure-ports.js';
import { type CursorStore, StaleCursorError } from '../ports.js';

const key = (mailboxId: string, folderId: string) => `${mailboxId}\u0000${folderId}`;

/** Which write stored a row of the history. */
export type CursorWriteKind = 'create' | 'page' | 'facts' | 'resume' | 'request-sync';

export class InMemoryCursorStore implements CursorStore, CursorEraser {
  readonly rows = new Map<string, Cursor>();
  /** Every successful write, for assertions (versions only increase). */
  readonly history: Cursor[] = [];
  /** The kind of each write of `history`, at the same index. */
  readonly historyKinds: CursorWriteKind[] = [];

  async get(mailboxId: string, folderId: string): Promise<Cursor | undefined> {
    const row = this.rows.get(key(mailboxId, folderId));
    return row && structuredClone(row);
  }

  async listByMailbox(mailboxId: string): Promise<Cursor[]> {
    return [...this.rows.values()].filter((c) => c.mailboxId === mailboxId).map((c) => structuredClone(c));
  }

  async create(cursor: Cursor): Promise<boolean> {
    const k = key(cursor.mailboxId, cursor.folderId);
    if (this.rows.has(k)) return false;
    this.store(k, cursor, 'create');
    return true;
  }

  async replace(expected: Cursor, next: Cursor, requireLeaseOwner?: string): Promise<void> {
    if (expected.mailboxId !== next.mailboxId || expected.folderId !== next.folderId)
      throw new Error(`replace() cannot move cursor ${expected.mailboxId}/${expected.folderId}`);
    // A caller error before any look at the row, as the adapter does.
    if (next.version <= expected.version)
      throw new Error(
        `cursor ${next.mailboxId}/${next.folderId} version must move forward: ${expected.version} -> ${next.version}`,
      );
    if (next.stop !== undefined)
      throw new Error(`cursor ${next.mailboxId}/${next.folderId}: a page's write cannot stop a folder`);
    const k = key(expected.mailboxId, expected.folderId);
    const stored = this.rows.get(k);
    if (
      !stored ||
      stored.version !== expected.version ||
      stored.stop !== undefined ||
      (requireLeaseOwner !== undefined && stored.lease?.owner !== requireLeaseOwner)
    ) {
      throw new StaleCursorError(expected.mailboxId, expected.folderId, expected.version);
    }
    // Merged onto the stored row as DynamoDB's UpdateItem does, with the same write the adapter
    // sends: a write that forgot a field would leave it here too.
    this.store(k, applyCursorWrite(stored, pageWrite(next)), 'page');
  }

  async writeFacts(expected: Cursor, next: Cursor, requireLeaseOwner?: string): Promise<{ version: number }> {
    if (expected.mailboxId !== next.mailboxId || expected.folderId !== next.folderId)
      throw new Error(`writeFacts() cannot move cursor ${expected.mailboxId}/${expected.folderId}`);
    if ((next.factsRevision ?? 0) <= (expected.factsRevision ?? 0))
      throw new Error(
        `cursor ${next.mailboxId}/${next.folderId} facts revision must move forward: ${expected.factsRevision ?? 0} -> ${next.factsRevision ?? 0}`,
      );
    const k = key(expected.mailboxId, expected.folderId);
    const stored = this.rows.get(k);
    if (
      !stored ||
      (stored.factsRevision ?? 0) !== (expected.factsRevision ?? 0) ||
      (requireLeaseOwner !== undefined && stored.lease?.owner !== requireLeaseOwner)
    ) {
      throw new StaleCursorError(expected.mailboxId, expected.folderId, expected.version);
    }
    const written = applyCursorWrite(stored, factsWrite(next));
    this.store(k, written, 'facts');
    return { version: written.version };
  }

  async resume(expected: Cursor, next: Cursor): Promise<void> {
    assertResumable(expected, next);
    const k = key(expected.mailboxId, expected.folderId);
    const stored = this.rows.get(k);
    if (
      !stored ||
      stored.stop === undefined ||
      stored.version !== expected.version ||
      (stored.factsRevision ?? 0) !== (expected.factsRevision ?? 0)
    ) {
      throw new StaleCursorError(expected.mailboxId, expected.folderId, expected.version);
    }
    this.store(k, applyCursorWrite(stored, wholeRowWrite(next)), 'resume');
  }

  async requestSync(mailboxId: string, folderId: string, at: number): Promise<boolean> {
    const k = key(mailboxId, folderId);
    const stored = this.rows.get(k);
    if (!stored) return false;
    this.store(k, { ...stored, syncRequestedAt: at }, 'request-sync');
    return true;
  }

  async deleteCursor(mailboxId: string, folderId: string): Promise<void> {
    this.rows.delete(key(mailboxId, folderId));
  }

  /** Test helper: the stored row, without cloning. */
  peek(mailboxId: string, folderId: string): Cursor | undefined {
    return this.rows.get(key(mailboxId, folderId));
  }

  private store(k: string, cursor: Cursor, kind: CursorWriteKind): void {
    // Like DynamoDB: undefined attributes are not stored.
    const clean = JSON.parse(JSON.stringify(cursor)) as Cursor;
    this.rows.set(k, clean);
    this.history.push(structuredClone(clean));
    this.historyKinds.push(kind);
  }
}
