// The EWS baseline: what a careful ews-javascript-api user writes to sync a mailbox. One
// SyncFolderHierarchy call, then the folders' SyncFolderItems chains, as many folders at once as
// the engine may run (its per-mailbox slot cap), each page written to a store (items, then the
// state) before the next call of that folder.
import ews from 'ews-javascript-api';
import { mapWithConcurrency } from '../../lib/core/map-with-concurrency.js';
import type { BaselineChange, BaselineStore } from './baseline-store.js';

export interface EwsBaselineTarget {
  url: string;
  username: string;
  password: string;
  smtp: string;
  /** The folders the engine synced, so both sync the same ones. */
  folderIds: readonly string[];
}

function service(target: EwsBaselineTarget): ews.ExchangeService {
  const exchange = new ews.ExchangeService(ews.ExchangeVersion.Exchange2013_SP1);
  exchange.Url = new ews.Uri(target.url);
  exchange.Credentials = new ews.WebCredentials(target.username, target.password);
  exchange.ImpersonatedUserId = new ews.ImpersonatedUserId(ews.ConnectingIdType.SmtpAddress, target.smtp);
  return exchange;
}

function toChange(change: ews.ItemChange): BaselineChange {
  const id = change.ItemId;
  if (change.ChangeType === ews.ChangeType.Delete) return { id: id.UniqueId, deleted: true };
  return { id: id.UniqueId, changeKey: id.ChangeKey ?? undefined };
}

/** Syncs the target mailboxes side by side, each at most `concurrency` folders at once. */
export async function ewsJavascriptApiLoop(
  targets: readonly EwsBaselineTarget[],
  options: { pageSize: number; concurrency: number; store: BaselineStore },
): Promise<void> {
  const propertySet = new ews.PropertySet(ews.BasePropertySet.IdOnly, [
    ews.ItemSchema.Subject,
    ews.ItemSchema.DateTimeReceived,
    ews.ItemSchema.Size,
    ews.ItemSchema.ItemClass,
    ews.EmailMessageSchema.IsRead,
  ]);
  await Promise.all(
    targets.map(async (target) => {
      const exchange = service(target);
      await options.store.retrying(() =>
        exchange.SyncFolderHierarchy(
          new ews.PropertySet(ews.BasePropertySet.IdOnly),
          null as unknown as string,
        ),
      );
      await mapWithConcurrency(target.folderIds, options.concurrency, async (folderId) => {
        let syncState: string | null = null;
        let more = true;
        while (more) {
          const state = syncState;
          const result: ews.ChangeCollection<ews.ItemChange> = await options.store.retrying(() =>
            exchange.SyncFolderItems(
              new ews.FolderId(folderId),
              propertySet,
              null as unknown as ews.ItemId[],
              options.pageSize,
              ews.SyncFolderItemsScope.NormalItems,
              state as string,
            ),
          );
          await options.store.writePage(
            `${target.smtp.toLowerCase()}|${folderId}`,
            result.GetEnumerator().map(toChange),
          );
          syncState = result.SyncState;
          more = result.MoreChangesAvailable;
        }
      });
    }),
  );
}
