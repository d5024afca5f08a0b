// A folder's first page held between its server call and its item writes, so a test can change
// the hierarchy (rename, delete, exclude) while the page is in flight: the setup the hierarchy
// tests share.
import type { CoreDeps } from '../deps.js';
import { syncFolderPage } from '../folder/sync-folder-page.js';
import type { FolderJob, HierarchyJob } from '../jobs/builders.js';
import { HIERARCHY_CURSOR_ID } from '../model.js';
import type { Harness } from './harness.js';

/** A hierarchy job for the mailbox's hierarchy cursor as it is now (or for `expectVersion`). */
export function hierarchyJobOf(
  h: Harness,
  mailboxId: string,
  expectVersion = h.cursors.peek(mailboxId, HIERARCHY_CURSOR_ID)?.version ?? 0,
): HierarchyJob {
  return { v: 1, type: 'hierarchy', mailboxId, jobId: h.random.id(), expectVersion, hop: 0 };
}

/**
 * Discovers the folders (one hierarchy job), then starts `folderId`'s first page with pages of 3
 * and holds it at its item writes. `deps` replaces the harness's ports for that page only (e.g. a
 * counting cursor store); `atWrites` runs when the page goes on. `release` lets it go on.
 */
export async function folderPageHeldAtItsWrites(
  h: Harness,
  mailboxId: string,
  folderId: string,
  options: { deps?: Partial<CoreDeps>; atWrites?: () => void } = {},
) {
  await h.run(hierarchyJobOf(h, mailboxId));
  const folderJob = h.pending
    .map((p) => p.job)
    .find((j): j is FolderJob => j.type === 'folder' && j.folderId === folderId)!;
  h.pending.splice(0);
  h.server.pageSize = 3;
  const apply = h.mirror.apply.bind(h.mirror);
  let release!: () => void;
  let fetched!: () => void;
  const atApply = new Promise<void>((resolve) => (fetched = resolve));
  // Only this page's mirror holds; every other job keeps the harness's.
  const mirror = Object.create(h.mirror) as typeof h.mirror;
  mirror.apply = async (write, changes) => {
    fetched();
    await new Promise<void>((resolve) => (release = resolve));
    options.atWrites?.();
    return apply(write, changes);
  };
  const deps: CoreDeps = { ...h.deps, ...options.deps, mirror };
  const page = syncFolderPage(deps, folderJob, h.context('folder-worker'));
  await atApply;
  return { page, release: () => release() };
}
