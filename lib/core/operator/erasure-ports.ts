// What erasing a mailbox needs beyond the sync's ports: deleting rows and objects for good. Only
// operators call these (mailbox purge, with their own credentials); no Lambda does, so the workers
// keep a role that can neither delete mirror rows nor list the state bucket. Their adapters work
// on the same tables and bucket as the sync's.
import type { Clock, CursorStore, ItemMirror, MailboxRegistry } from '../ports.js';

export interface MirrorEraser {
  /** Item rows of the folder, live and tombstoned (not the folder's closed marker). */
  countFolderRows(mailboxId: string, folderId: string): Promise<number>;
  /**
   * Deletes every row of the folder for good, without condition: live items, tombstones and the
   * closed marker (last). Afterwards the folder is as if never synced: open to any page again.
   * Returns the number of item rows deleted; a second call deletes none.
   */
  deleteFolderRows(mailboxId: string, folderId: string): Promise<number>;
}

export interface CursorEraser {
  /** Deletes the cursor row; a no-op when there is none. A state stored apart stays (see below). */
  deleteCursor(mailboxId: string, folderId: string): Promise<void>;
}

/**
 * SyncStates too large for a cursor row, stored apart (the state bucket). Listed by mailbox so
 * that objects no cursor points at any more (a superseded state whose delete failed) go too.
 */
export interface StoredStateEraser {
  /** The names of every stored state of the mailbox, and of no other mailbox. */
  listStates(mailboxId: string): Promise<string[]>;
  /** Deletes the named states; a name already gone is ignored. Refuses another mailbox's names. */
  deleteStates(mailboxId: string, names: readonly string[]): Promise<void>;
}

/** A stored-state name given to deleteStates that is not under the mailbox. */
export class ForeignStateNameError extends Error {
  override readonly name = 'ForeignStateNameError';
  constructor(
    readonly mailboxId: string,
    readonly stateName: string,
  ) {
    super(`stored state ${stateName} does not belong to mailbox ${mailboxId}`);
  }
}

export interface ErasurePorts {
  mirror: MirrorEraser;
  cursors: CursorEraser;
  states: StoredStateEraser;
}

/** The ports a purge runs on: the sync's own, to park and to close folders, and the erasers. */
export interface PurgeDeps {
  registry: MailboxRegistry;
  cursors: CursorStore;
  mirror: ItemMirror;
  clock: Clock;
  erasure: ErasurePorts;
}
