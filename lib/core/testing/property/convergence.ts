// The property test's end-state checks, run after the faults stop: does the mirror equal the
// server in every folder that ever existed, what differs when it does not (for the failure
// message), and is every stopped folder closed with no live row under it.
import type { Harness } from '../harness.js';
import { normalised } from './store-invariants.js';

/** Every folder each mailbox ever had, by mailbox. */
export type EveryFolder = Map<string, Set<string>>;

const sorted = (folder: Record<string, unknown>) => JSON.stringify(Object.entries(folder).sort());

export async function converged(h: Harness, everyFolder: EveryFolder): Promise<boolean> {
  return (await differences(h, everyFolder, true)).length === 0;
}

/**
 * What differs between the mirror and the server, with the folder's cursor: for failure messages.
 * `firstOnly` stops at the first difference.
 */
export async function differences(
  h: Harness,
  everyFolder: EveryFolder,
  firstOnly = false,
): Promise<string[]> {
  const found: string[] = [];
  for (const [m, folders] of everyFolder) {
    for (const folderId of folders) {
      const mirrored = sorted(await h.mirrored(m, folderId));
      const onServer = sorted(h.onServer(m, folderId));
      if (mirrored === onServer) continue;
      const cursor = normalised(h.cursors.peek(m, folderId));
      found.push(`${m}/${folderId}: mirror ${mirrored} server ${onServer} cursor ${cursor}`);
      if (firstOnly) return found;
    }
  }
  return found;
}

/** Every stopped folder (gone or excluded): closed, and no live row under it. */
export async function liveUnderGone(h: Harness, mailboxes: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const m of mailboxes) {
    for (const cursor of await h.cursors.listByMailbox(m)) {
      if (!cursor.stop) continue;
      if (cursor.stop.closedAtVersion === undefined) found.push(`${m}/${cursor.folderId}: close pending`);
      const live = await h.mirror.listLive(m, cursor.folderId);
      if (live.length > 0) found.push(`${m}/${cursor.folderId}: ${live.map((r) => r.itemId).join(',')}`);
    }
  }
  return found;
}
