// The item mirror's write rules, pure so that every ItemMirror (DynamoDB, the test fake) applies
// exactly the same ones. An adapter turns `nextMirrorRow` into a conditional write:
// attribute_not_exists(pk) OR pageVersion <= :pageVersion.
import type { MirrorItem } from '../model.js';
import type { ItemChange, MirrorWrite } from '../ports.js';

/**
 * One change per item, in order of first appearance. A later create/update/delete replaces an
 * earlier one; a readFlagChange after a create/update is folded into it (keeping only the last
 * change would lose the item's content).
 */
export function collapseChanges(changes: readonly ItemChange[]): ItemChange[] {
  const byId = new Map<string, ItemChange>();
  for (const change of changes) {
    const previous = byId.get(change.itemId);
    if (
      change.kind === 'readFlagChange' &&
      previous &&
      (previous.kind === 'create' || previous.kind === 'update')
    ) {
      byId.set(change.itemId, {
        ...previous,
        changeKey: change.changeKey ?? previous.changeKey,
        item: { ...previous.item, isRead: change.isRead },
      });
    } else {
      // Map.set on an existing key keeps its position: fine, order between items is irrelevant.
      byId.set(change.itemId, change);
    }
  }
  return [...byId.values()];
}

/**
 * How long a tombstone (and a closed-folder marker) is kept: longer than any late write could
 * come, a Lambda environment frozen with a page pending included.
 */
export const TOMBSTONE_TTL_SECONDS = 7 * 24 * 3600;

export type RowDecision = { kind: 'write'; row: MirrorItem } | { kind: 'unchanged' } | { kind: 'fenced' };

function sameContent(a: MirrorItem, b: MirrorItem): boolean {
  return (
    a.deleted === b.deleted &&
    a.changeKey === b.changeKey &&
    a.itemType === b.itemType &&
    a.isRead === b.isRead &&
    a.generation === b.generation &&
    JSON.stringify(canonical(a.props)) === JSON.stringify(canonical(b.props))
  );
}

/** Keys sorted at every level: a store may not keep the order of map keys (DynamoDB does not). */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array || value instanceof Date) {
    return value;
  }
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort())
    sorted[key] = canonical((value as Record<string, unknown>)[key]);
  return sorted;
}

/**
 * A tombstone carries no content (so the change feed's last image is no copy of the item, and an
 * item created again starts afresh) and is stamped with the version that deleted it.
 */
export function tombstoneOf(
  row: MirrorItem,
  stamp: Pick<MirrorItem, 'pageVersion' | 'updatedAt'> & Partial<MirrorItem>,
): MirrorItem {
  const { isRead: _isRead, ...rest } = row;
  return { ...rest, ...stamp, props: {}, deleted: true };
}

/**
 * The row a change produces over the existing one. `generation` counts as content: a resync must
 * re-stamp unchanged items, or its sweep would delete them.
 */
export function nextMirrorRow(
  existing: MirrorItem | undefined,
  change: ItemChange,
  write: MirrorWrite,
): RowDecision {
  if (existing && existing.pageVersion > write.pageVersion) return { kind: 'fenced' };
  const stamp = { pageVersion: write.pageVersion, generation: write.generation, updatedAt: write.now };
  let row: MirrorItem;
  switch (change.kind) {
    case 'delete':
      if (existing?.deleted) return { kind: 'unchanged' };
      // A tombstone even for an item we never saw: it fences off any late write of it.
      row = existing
        ? tombstoneOf(existing, { ...stamp, changeKey: change.changeKey ?? existing.changeKey })
        : {
            mailboxId: write.mailboxId,
            folderId: write.folderId,
            itemId: change.itemId,
            changeKey: change.changeKey,
            itemType: 'unknown',
            props: {},
            deleted: true,
            ...stamp,
          };
      break;
    case 'readFlagChange':
      // Nothing to flag (or a tombstone): never create or resurrect a row from a flag alone.
      if (!existing || existing.deleted) return { kind: 'unchanged' };
      row = {
        ...existing,
        ...stamp,
        isRead: change.isRead,
        changeKey: change.changeKey ?? existing.changeKey,
      };
      break;
    default: {
      const { isRead, ...props } = change.item;
      row = {
        mailboxId: write.mailboxId,
        folderId: write.folderId,
        itemId: change.itemId,
        changeKey: change.changeKey,
        itemType: change.itemType,
        isRead: isRead ?? existing?.isRead,
        props,
        deleted: false,
        ...stamp,
      };
    }
  }
  return existing && sameContent(existing, row) ? { kind: 'unchanged' } : { kind: 'write', row };
}

/**
 * A write that makes an item live where the row was not (absent or a tombstone). Such writes are
 * the only ones a closed folder must refuse: every live row of a closed folder was tombstoned at
 * the closing version, so the fence already refuses late writes to them.
 */
export function makesLive(existing: MirrorItem | undefined, row: MirrorItem): boolean {
  return !row.deleted && (!existing || existing.deleted);
}

/**
 * A folder closed at `closedVersion` (deleted on the server) accepts no new live row from a page
 * whose fence is not above it: a page that thaws after the folder was closed cannot leave a
 * phantom item under it.
 */
export function closedTo(
  closedVersion: number | undefined,
  write: Pick<MirrorWrite, 'pageVersion'>,
): boolean {
  return closedVersion !== undefined && write.pageVersion <= closedVersion;
}
