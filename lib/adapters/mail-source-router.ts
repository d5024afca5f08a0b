// Picks the mail source for each mailbox by the protocol its registry row names. The engine sees
// one MailSource; each protocol's adapter sees only its own mailboxes.
import type { Mailbox, MailSourceKind } from '../core/model.js';
import type { MailSource, SyncHierarchyRequest, SyncItemsRequest } from '../core/ports.js';

export class MailSourceRouter implements MailSource {
  constructor(private readonly sources: Readonly<Record<MailSourceKind, MailSource>>) {}

  syncItems(request: SyncItemsRequest) {
    return this.sources[request.mailbox.source.kind].syncItems(request);
  }

  syncHierarchy(request: SyncHierarchyRequest) {
    return this.sources[request.mailbox.source.kind].syncHierarchy(request);
  }

  resolveWellKnownFolders(request: Parameters<MailSource['resolveWellKnownFolders']>[0]) {
    return this.sources[request.mailbox.source.kind].resolveWellKnownFolders(request);
  }

  resyncAfterMs(mailbox: Mailbox) {
    return this.sources[mailbox.source.kind].resyncAfterMs?.(mailbox);
  }

  maxConcurrentCalls(mailbox: Mailbox) {
    return this.sources[mailbox.source.kind].maxConcurrentCalls?.(mailbox);
  }
}
