// Test fake of MailSource: an in-memory server with EWS's SyncState semantics (fake-sync-pages.ts)
// over contents tests change directly (fake-server-contents.ts). This part is the server as the
// engine meets it: calls that count against a mailbox's concurrency, can be held (gate) or failed
// (fault, concurrency throttling), and are never sent when aborted.
// An item created and deleted after a SyncState is never reported, exactly like EWS.
import { MailSourceError } from '../errors.js';
import type { Mailbox } from '../model.js';
import type { FolderPage, ItemPage, MailSource, SyncHierarchyRequest, SyncItemsRequest } from '../ports.js';
import { FakeServerContents } from './fake-server-contents.js';
import { folderChangesSince, IssuedSyncStates, itemChangesSince } from './fake-sync-pages.js';

export {
  changeKeyOf,
  revOfChangeKey,
  type ServerFolder,
  type ServerItem,
} from './fake-server-contents.js';

export type ServerCall =
  | { op: 'syncItems'; mailboxId: string; folderId: string }
  | { op: 'syncHierarchy'; mailboxId: string }
  | { op: 'resolve'; mailboxId: string };

export class FakeMailServer extends FakeServerContents implements MailSource {
  private readonly syncStates = new IssuedSyncStates();
  /** Calls in flight per mailbox now, and the most ever seen. */
  readonly inFlight = new Map<string, number>();
  readonly maxInFlight = new Map<string, number>();
  readonly calls: ServerCall[] = [];
  /** Decides a failure for a call (throttling, transient errors, ...). */
  fault?: (call: ServerCall) => MailSourceError | undefined;
  /** Awaited inside each call while it is in flight (lets tests interleave calls). */
  gate?: (call: ServerCall) => Promise<void>;
  /** Page sizes are the mailbox's `pageSize` unless this overrides them. */
  pageSize?: number;
  /** Asks for a periodic resync of every folder after this long (MailSource.resyncAfterMs). */
  resyncAfterMs?: (mailbox: Mailbox) => number | undefined;
  /** The most calls the server accepts at once per mailbox (MailSource.maxConcurrentCalls). */
  maxConcurrentCalls?: (mailbox: Mailbox) => number | undefined;
  /** Report the newest items first, as Exchange does (default: oldest first). */
  newestFirst = false;
  /**
   * Calls in flight per mailbox the server allows; one more is answered with ErrorServerBusy
   * (Exchange's concurrency throttling), with `concurrencyBackoffMs`.
   */
  concurrencyLimit?: number;
  concurrencyBackoffMs = 5_000;

  private async call<T>(
    call: ServerCall,
    signal: AbortSignal | undefined,
    run: () => T,
    onAnswer?: () => void,
  ): Promise<T> {
    // An aborted request never reaches the server (a fetch with an aborted signal is not sent).
    if (signal?.aborted) throw new DOMException('The operation was aborted', 'AbortError');
    this.calls.push(call);
    const n = (this.inFlight.get(call.mailboxId) ?? 0) + 1;
    this.inFlight.set(call.mailboxId, n);
    this.maxInFlight.set(call.mailboxId, Math.max(n, this.maxInFlight.get(call.mailboxId) ?? 0));
    try {
      await this.gate?.(call);
      if (this.concurrencyLimit !== undefined && n > this.concurrencyLimit) {
        throw new MailSourceError('throttled', 'ErrorServerBusy', 'too many concurrent calls', {
          retryAfterMs: this.concurrencyBackoffMs,
        });
      }
      const failure = this.fault?.(call);
      if (failure) throw failure;
      const answer = run();
      // The answer arrives (before the adapter would read and parse it).
      onAnswer?.();
      return answer;
    } finally {
      this.inFlight.set(call.mailboxId, (this.inFlight.get(call.mailboxId) ?? 1) - 1);
    }
  }

  private limit(mailbox: Mailbox): number {
    return this.pageSize ?? mailbox.pageSize;
  }

  syncItems(request: SyncItemsRequest): Promise<ItemPage> {
    const { mailbox, folderId } = request;
    const { mailboxId } = mailbox;
    return this.call(
      { op: 'syncItems', mailboxId, folderId },
      request.signal,
      () => {
        const folder = this.folders(mailboxId).get(folderId);
        if (!folder)
          throw new MailSourceError('folderNotFound', 'ErrorSyncFolderNotFound', 'folder not found');
        const known = this.syncStates.knownItems(request.syncState, folder);
        const page = itemChangesSince(folder, known, this.limit(mailbox), this.newestFirst);
        const syncState = this.syncStates.issue({
          kind: 'items',
          mailboxId,
          folderId,
          epoch: folder.epoch,
          known,
        });
        return { syncState, ...page };
      },
      request.onAnswer,
    );
  }

  syncHierarchy(request: SyncHierarchyRequest): Promise<FolderPage> {
    const { mailboxId } = request.mailbox;
    return this.call({ op: 'syncHierarchy', mailboxId }, request.signal, () => {
      const folders = this.folders(mailboxId);
      const known = this.syncStates.knownFolders(request.syncState, mailboxId);
      const page = folderChangesSince(folders, known, this.limit(request.mailbox));
      const syncState = this.syncStates.issue({ kind: 'hierarchy', mailboxId, known });
      return { syncState, ...page };
    });
  }

  resolveWellKnownFolders(request: {
    mailbox: Mailbox;
    names: string[];
    signal?: AbortSignal;
  }): Promise<Record<string, string>> {
    const { mailbox } = request;
    return this.call({ op: 'resolve', mailboxId: mailbox.mailboxId }, request.signal, () => {
      const result: Record<string, string> = {};
      for (const folder of this.folders(mailbox.mailboxId).values()) {
        if (folder.wellKnownName && request.names.includes(folder.wellKnownName)) {
          result[folder.wellKnownName] = folder.folderId;
        }
      }
      return result;
    });
  }
}
