// Compares the mirror with the server's ground truth: the check behind "nothing lost".
// Pure: the caller fetches both sides (the simulator's admin API, the mirror's listLive).

export interface TruthItem {
  id: string;
  changeKey: string;
  itemType?: string;
  isRead?: boolean;
}

/**
 * EWS exposes IsRead on messages and posts only (MessageType and its meeting subtypes, PostItem);
 * a calendar item, contact or task has no read flag on the wire, so none can be mirrored.
 */
const READ_FLAG_TYPES = new Set([
  'Message',
  'MeetingMessage',
  'MeetingRequest',
  'MeetingResponse',
  'MeetingCancellation',
  'PostItem',
]);

function readFlagDiffers(truth: TruthItem, copy: MirroredItem): boolean {
  if (truth.isRead === undefined) return false;
  if (truth.itemType !== undefined && !READ_FLAG_TYPES.has(truth.itemType)) return false;
  return copy.isRead !== truth.isRead;
}

export interface MirroredItem {
  itemId: string;
  changeKey?: string;
  isRead?: boolean;
}

export interface FolderComparison {
  mailboxId: string;
  folderId: string;
  serverItems: number;
  mirroredItems: number;
  /** On the server, not in the mirror. */
  missing: string[];
  /** In the mirror, not on the server. */
  extra: string[];
  /** In both, but with another ChangeKey or read flag. */
  stale: string[];
  /** The mirror knows the folder, the server no longer has it: its items must all be gone. */
  goneFromServer?: true;
}

export function compareFolder(
  mailboxId: string,
  folderId: string,
  truth: readonly TruthItem[],
  mirror: readonly MirroredItem[],
): FolderComparison {
  const mirrored = new Map(mirror.map((item) => [item.itemId, item]));
  const missing: string[] = [];
  const stale: string[] = [];
  for (const item of truth) {
    const copy = mirrored.get(item.id);
    if (!copy) missing.push(item.id);
    else if (copy.changeKey !== item.changeKey || readFlagDiffers(item, copy)) stale.push(item.id);
    mirrored.delete(item.id);
  }
  return {
    mailboxId,
    folderId,
    serverItems: truth.length,
    mirroredItems: mirror.length,
    missing,
    extra: [...mirrored.keys()],
    stale,
  };
}

export interface VerificationSummary {
  verified: boolean;
  /** Folders on the server that were synced and compared. */
  folders: number;
  /** Folders deleted on the server, checked to have no items left in the mirror. */
  foldersGone: number;
  serverItems: number;
  mirroredItems: number;
  missing: number;
  extra: number;
  stale: number;
  /** The first few differing folders, for the report. */
  differences: FolderComparison[];
}

export function summarize(
  comparisons: readonly FolderComparison[],
  maxDifferences = 10,
): VerificationSummary {
  const differing = comparisons.filter((c) => c.missing.length + c.extra.length + c.stale.length > 0);
  const sum = (pick: (c: FolderComparison) => number) => comparisons.reduce((total, c) => total + pick(c), 0);
  return {
    verified: differing.length === 0,
    folders: comparisons.filter((c) => !c.goneFromServer).length,
    foldersGone: comparisons.filter((c) => c.goneFromServer).length,
    serverItems: sum((c) => c.serverItems),
    mirroredItems: sum((c) => c.mirroredItems),
    missing: sum((c) => c.missing.length),
    extra: sum((c) => c.extra.length),
    stale: sum((c) => c.stale.length),
    differences: differing.slice(0, maxDifferences),
  };
}
