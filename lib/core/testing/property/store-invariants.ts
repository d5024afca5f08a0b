// The property test's as-you-go checks on what the stores hold: every mirror row write (never
// back to an older ChangeKey, never back from a delete, never live under a closed folder) and
// every cursor write (the row stored is the row its writer wrote). They run at each write, not
// only at the end, so a violation that a later write would hide is still seen.
import { factFieldsOf, pageFieldsOf } from '../../cursor-write.js';
import { canonical } from '../../mirror/mirror-rules.js';
import type { Cursor, MirrorItem } from '../../model.js';
import { revOfChangeKey } from '../fake-server-contents.js';
import type { Harness } from '../harness.js';

/** Key order is no content: compare rows with their keys sorted, undefined fields left out. */
export const normalised = (cursor: Cursor | undefined) =>
  JSON.stringify(cursor && canonical(JSON.parse(JSON.stringify(cursor))));

export class StoreInvariants {
  /** `mailbox/folder/item` -> the item's change counter when it last left that folder. */
  private readonly exits = new Map<string, number>();
  /** `mailbox/folder/closedAtVersion` of every stop a resume lifted. */
  private readonly restartedCloses = new Set<string>();

  /** Checks every mirror row write and records every resume, whoever makes it. */
  constructor(
    private readonly h: Harness,
    private readonly violations: string[],
  ) {
    h.mirror.afterWrite = (before, after) => this.checkRow(before, after);
    // Every resume, whoever makes it (the quiet rounds run on the unwrapped ports too).
    const resume = h.cursors.resume.bind(h.cursors);
    h.cursors.resume = async (expected, next) => {
      await resume(expected, next);
      const { mailboxId, folderId, stop } = expected;
      this.restartedCloses.add(`${mailboxId}/${folderId}/${stop?.closedAtVersion}`);
    };
  }

  /** Mirror rows: never back to an older ChangeKey, never back from a delete, never live under a gone folder. */
  private checkRow(before: MirrorItem | undefined, after: MirrorItem): void {
    // Back from a tombstone only with a change newer than the item's last exit from the folder
    // (moved out and back: ids are immutable here, as in Graph); a late or repeated write is older.
    // Also back, by a page above the close, when its tombstone is the close of a folder that was
    // started again (excluded, then selected: its sync from scratch brings the items back).
    const exit = this.exits.get(`${after.mailboxId}/${after.folderId}/${after.itemId}`);
    const restarted =
      before !== undefined &&
      after.pageVersion > before.pageVersion &&
      this.restartedCloses.has(`${after.mailboxId}/${after.folderId}/${before.pageVersion}`);
    if (
      before?.deleted &&
      !after.deleted &&
      !restarted &&
      (exit === undefined || revOfChangeKey(after.changeKey) <= exit)
    )
      this.violations.push(`item ${after.itemId} came back after its delete`);
    if (before && !after.deleted && revOfChangeKey(after.changeKey) < revOfChangeKey(before.changeKey))
      this.violations.push(`item ${after.itemId} went back from ${before.changeKey} to ${after.changeKey}`);
    // A stop is written before its close (hierarchy/folder-stops.ts): once the close is recorded
    // no row of the folder may come alive, whatever wrote it and whenever.
    const stop = this.h.cursors.peek(after.mailboxId, after.folderId)?.stop;
    if (!after.deleted && stop?.closedAtVersion !== undefined)
      this.violations.push(`item ${after.itemId} written live under ${stop.reason} folder ${after.folderId}`);
  }

  /**
   * The row stored is the row its writer wrote, in the fields that writer names (a page its page
   * fields, the hierarchy the folder facts, a resume all but the push's request): a store that
   * merged would show here.
   */
  checkStored(method: string, written: Cursor): void {
    const views: Record<string, (c: Cursor) => Partial<Cursor>> = {
      replace: pageFieldsOf,
      writeFacts: factFieldsOf,
      resume: (c) => ({ ...c, syncRequestedAt: undefined }),
    };
    const view = views[method];
    if (!view) return;
    const stored = this.h.cursors.peek(written.mailboxId, written.folderId);
    const [a, b] = [stored && view(stored), view(written)].map((c) => normalised(c as Cursor));
    if (a !== b) this.violations.push(`cursor ${written.folderId} ${method} stored ${a} for ${b}`);
  }

  /** The change counter of an item when it leaves a folder (deleted or moved out). */
  recordExit(mailboxId: string, folderId: string, itemId: string): void {
    const rev = this.h.server.folder(mailboxId, folderId).items.get(itemId)?.rev;
    if (rev !== undefined) this.exits.set(`${mailboxId}/${folderId}/${itemId}`, rev);
  }
}
