// A harness with one mailbox whose one folder holds `items` items and has a cursor, and a way to
// start that folder's chain: the setup the page tests share.
import { newFolderCursor } from '../hierarchy/folder-cursors.js';
import { type FolderJob, startJob } from '../jobs/builders.js';
import { Harness } from './harness.js';

export const MAILBOX_A = 'a@example.com';

export async function oneFolder(options: ConstructorParameters<typeof Harness>[0] = {}, items = 25) {
  const h = new Harness(options);
  await h.addMailbox(MAILBOX_A);
  const folderId = h.server.addFolder(MAILBOX_A, { displayName: 'Inbox' });
  for (let i = 0; i < items; i++) h.server.createItem(MAILBOX_A, folderId);
  await h.cursors.create(newFolderCursor(MAILBOX_A, folderId, h.clock.now()));
  const start = async () => startJob((await h.cursors.get(MAILBOX_A, folderId))!, h.random) as FolderJob;
  return { h, folderId, start };
}
