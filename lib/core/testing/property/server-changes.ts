// The property test's commands that change the server while the engine syncs: item changes
// (create, update, read flags, move, delete) and folder changes (create, rename, delete). Each
// picks its mailbox, folder and item from the command's numbers, so any schedule is valid.
import type { FakeMailServer } from '../fake-mail-server.js';
import type { Command } from './commands.js';
import type { StoreInvariants } from './store-invariants.js';

export function changeItem(
  server: FakeMailServer,
  store: StoreInvariants,
  mailboxId: string,
  cmd: Extract<Command, { k: 'mutate' }>,
): void {
  const folders = [...server.folders(mailboxId).values()];
  if (folders.length === 0) return;
  const folder = folders[cmd.folder % folders.length]!;
  const items = [...folder.items.keys()];
  if (cmd.op === 'create' || items.length === 0) {
    server.createItem(mailboxId, folder.folderId);
    return;
  }
  const item = items[cmd.item % items.length]!;
  if (cmd.op === 'update') server.updateItem(mailboxId, folder.folderId, item, `s${cmd.item}`);
  else if (cmd.op === 'read') server.setRead(mailboxId, folder.folderId, item, true);
  else if (cmd.op === 'unread') server.setRead(mailboxId, folder.folderId, item, false);
  else if (cmd.op === 'move') {
    const target = folders[(cmd.folder + 1) % folders.length]!;
    if (target === folder) return;
    store.recordExit(mailboxId, folder.folderId, item);
    server.moveItem(mailboxId, folder.folderId, target.folderId, item);
  } else {
    store.recordExit(mailboxId, folder.folderId, item);
    server.deleteItem(mailboxId, folder.folderId, item);
  }
}

/** A folder created gets one item; `everFolders` keeps every folder the mailbox ever had. */
export function changeFolder(
  server: FakeMailServer,
  mailboxId: string,
  everFolders: Set<string>,
  cmd: Extract<Command, { k: 'folder' }>,
): void {
  const folders = [...server.folders(mailboxId).keys()];
  if (cmd.op === 'create' || folders.length === 0) {
    const folderId = server.addFolder(mailboxId, { displayName: `new${cmd.pick}` });
    everFolders.add(folderId);
    server.createItem(mailboxId, folderId);
  } else if (cmd.op === 'rename')
    server.renameFolder(mailboxId, folders[cmd.pick % folders.length]!, `renamed${cmd.pick}`);
  else server.deleteFolder(mailboxId, folders[cmd.pick % folders.length]!);
}
