// The four EWS operations against one mailbox. Each returns a complete response envelope;
// per-request problems a real server reports in a ResponseMessage are rendered here, and
// request-level problems are thrown as EwsFaultError.
import { parseId } from './ids.js';
import { folderIdXml, folderXml, type ItemWriteContext, itemIdXml, itemXml } from './item-xml.js';
import type { FolderRecord, ItemRecord, SimMailbox } from './mailbox.js';
import {
  type FolderRef,
  parseGetFolder,
  parseGetItem,
  parseSyncHierarchy,
  parseSyncItems,
} from './request.js';
import { errorMessage, responseEnvelope } from './soap.js';
import { computePage, emptyKnowledge, type SyncKnowledge } from './sync-engine.js';
import { InvalidSyncStateError, type SyncStateBinding, type SyncStateCodec } from './sync-state.js';

export interface OperationContext {
  codec: SyncStateCodec;
  newestFirst: boolean;
  /** Fault injection: whether this item version's text gets an invalid control-character reference. */
  controlCharsFor(mailbox: SimMailbox, folderSerial: number, rec: ItemRecord): boolean;
}

type Body = Record<string, unknown>;

const SFI = 'SyncFolderItemsResponseMessage';
const SFH = 'SyncFolderHierarchyResponseMessage';
const SYNC_ITEMS_ERROR_TRAILER = '<m:SyncState/><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>';
const SYNC_FOLDERS_ERROR_TRAILER =
  '<m:SyncState/><m:IncludesLastFolderInRange>true</m:IncludesLastFolderInRange>';

type Resolved =
  | { ok: true; folder: FolderRecord }
  | { ok: false; code: 'ErrorInvalidIdMalformed' | 'missing' };

function resolveFolder(mailbox: SimMailbox, ref: FolderRef): Resolved {
  if ('distinguishedId' in ref) {
    const serial = mailbox.distinguishedSerial(ref.distinguishedId);
    const rec = serial === undefined ? undefined : mailbox.folder(serial);
    return rec && rec.deletedCn === 0 ? { ok: true, folder: rec } : { ok: false, code: 'missing' };
  }
  const parsed = parseId(ref.id);
  if (parsed?.kind !== 'folder') return { ok: false, code: 'ErrorInvalidIdMalformed' };
  // Ids of other mailboxes are not visible through this one.
  if (parsed.mailboxIndex !== mailbox.index || !parsed.guid.equals(mailbox.guid))
    return { ok: false, code: 'missing' };
  const rec = mailbox.folder(parsed.folderSerial);
  return rec && rec.deletedCn === 0 ? { ok: true, folder: rec } : { ok: false, code: 'missing' };
}

function decodeState(
  ctx: OperationContext,
  state: string | undefined,
  binding: SyncStateBinding,
): SyncKnowledge {
  return state ? ctx.codec.decode(state, binding) : emptyKnowledge();
}

/**
 * The client's knowledge from its SyncState, or the ErrorInvalidSyncStateData answer Exchange
 * gives for a tampered, truncated or foreign state (its wording differs between the two
 * operations: "corrupt" for items, "corrupted" for the hierarchy).
 */
function decodeOrRefuse(
  ctx: OperationContext,
  syncState: string | undefined,
  binding: SyncStateBinding,
): SyncKnowledge | string {
  try {
    return decodeState(ctx, syncState, binding);
  } catch (error) {
    if (!(error instanceof InvalidSyncStateError)) throw error;
    const items = binding.kind === 'items';
    return responseEnvelope(
      items ? 'SyncFolderItems' : 'SyncFolderHierarchy',
      errorMessage(
        items ? SFI : SFH,
        'ErrorInvalidSyncStateData',
        `Synchronization state data is ${items ? 'corrupt' : 'corrupted'} or otherwise invalid.`,
        { trailer: items ? SYNC_ITEMS_ERROR_TRAILER : SYNC_FOLDERS_ERROR_TRAILER },
      ),
    );
  }
}

export function syncFolderItems(ctx: OperationContext, mailbox: SimMailbox, body: Body): string {
  const request = parseSyncItems(body);
  const resolved = resolveFolder(mailbox, request.folder);
  if (!resolved.ok) {
    const [code, text] =
      resolved.code === 'ErrorInvalidIdMalformed'
        ? ['ErrorInvalidIdMalformed', 'Id is malformed.']
        : ['ErrorSyncFolderNotFound', 'The folder to be synchronized could not be found.'];
    return responseEnvelope(
      'SyncFolderItems',
      errorMessage(SFI, code, text, { trailer: SYNC_ITEMS_ERROR_TRAILER }),
    );
  }
  const folder = resolved.folder;
  const binding: SyncStateBinding = {
    kind: 'items',
    mailboxIndex: mailbox.index,
    folderSerial: folder.serial,
    scope: request.scope,
    epoch: mailbox.stateEpoch,
  };
  const knowledge = decodeOrRefuse(ctx, request.syncState, binding);
  if (typeof knowledge === 'string') return knowledge;
  const ignore = new Set<number>();
  for (const id of request.ignore) {
    const parsed = parseId(id);
    if (
      parsed?.kind === 'item' &&
      parsed.mailboxIndex === mailbox.index &&
      parsed.folderSerial === folder.serial
    ) {
      ignore.add(parsed.itemSerial);
    }
  }
  const includeAssociated = request.scope === 'NormalAndAssociatedItems';
  const page = computePage(mailbox.itemJournal(folder.serial)!, knowledge, {
    maxChanges: request.maxChanges,
    newestFirst: ctx.newestFirst,
    ignore,
    ...(includeAssociated ? {} : { inScope: (r: ItemRecord) => !r.value.isAssociated }),
  });
  const writeCtx: ItemWriteContext = { mailbox, folderSerial: folder.serial, controlChars: false };
  let changes = '';
  for (const { kind, record } of page.changes) {
    if (kind === 'delete') {
      changes += `<t:Delete>${itemIdXml(writeCtx, record)}</t:Delete>`;
    } else if (kind === 'readFlagChange') {
      changes += `<t:ReadFlagChange>${itemIdXml(writeCtx, record)}<t:IsRead>${record.value.isRead}</t:IsRead></t:ReadFlagChange>`;
    } else {
      writeCtx.controlChars = ctx.controlCharsFor(mailbox, folder.serial, record);
      const tag = kind === 'create' ? 'Create' : 'Update';
      changes += `<t:${tag}>${itemXml(record, request.shape, writeCtx)}</t:${tag}>`;
    }
  }
  const state = ctx.codec.encode(binding, page.knowledge);
  return responseEnvelope(
    'SyncFolderItems',
    `<m:${SFI} ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SyncState>${state}</m:SyncState><m:IncludesLastItemInRange>${page.includesLast}</m:IncludesLastItemInRange>${changes ? `<m:Changes>${changes}</m:Changes>` : '<m:Changes/>'}</m:${SFI}>`,
  );
}

export function syncFolderHierarchy(ctx: OperationContext, mailbox: SimMailbox, body: Body): string {
  const request = parseSyncHierarchy(body);
  const resolved = resolveFolder(mailbox, request.folder ?? { distinguishedId: 'root' });
  if (!resolved.ok) {
    return responseEnvelope(
      'SyncFolderHierarchy',
      errorMessage(
        SFH,
        resolved.code === 'missing' ? 'ErrorFolderNotFound' : resolved.code,
        'The specified folder could not be found in the store.',
        {
          trailer: SYNC_FOLDERS_ERROR_TRAILER,
        },
      ),
    );
  }
  const root = resolved.folder.serial;
  const binding: SyncStateBinding = {
    kind: 'hierarchy',
    mailboxIndex: mailbox.index,
    folderSerial: root,
    scope: 'NormalItems',
    epoch: mailbox.stateEpoch,
  };
  const knowledge = decodeOrRefuse(ctx, request.syncState, binding);
  if (typeof knowledge === 'string') return knowledge;
  // SyncFolderHierarchy has no MaxChangesReturned: Exchange answers with everything at once.
  const page = computePage(mailbox.folders, knowledge, {
    maxChanges: Number.POSITIVE_INFINITY,
    newestFirst: false,
    inScope: (r) => mailbox.isAncestor(root, r.serial),
  });
  let changes = '';
  for (const { kind, record } of page.changes) {
    if (kind === 'delete') changes += `<t:Delete>${folderIdXml(mailbox, record)}</t:Delete>`;
    else {
      const tag = kind === 'create' ? 'Create' : 'Update';
      changes += `<t:${tag}>${folderXml(mailbox, record, request.shape)}</t:${tag}>`;
    }
  }
  const state = ctx.codec.encode(binding, page.knowledge);
  return responseEnvelope(
    'SyncFolderHierarchy',
    `<m:${SFH} ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SyncState>${state}</m:SyncState><m:IncludesLastFolderInRange>${page.includesLast}</m:IncludesLastFolderInRange>${changes ? `<m:Changes>${changes}</m:Changes>` : '<m:Changes/>'}</m:${SFH}>`,
  );
}

export function getItem(ctx: OperationContext, mailbox: SimMailbox, body: Body): string {
  const request = parseGetItem(body);
  const element = 'GetItemResponseMessage';
  let messages = '';
  for (const id of request.ids) {
    const parsed = parseId(id);
    if (parsed?.kind !== 'item') {
      messages += errorMessage(element, 'ErrorInvalidIdMalformed', 'Id is malformed.', {
        trailer: '<m:Items/>',
      });
      continue;
    }
    const own = parsed.mailboxIndex === mailbox.index && parsed.guid.equals(mailbox.guid);
    const rec = own ? mailbox.liveItem(parsed.folderSerial, parsed.itemSerial) : undefined;
    if (!rec) {
      messages += errorMessage(
        element,
        'ErrorItemNotFound',
        'The specified object was not found in the store.',
        {
          trailer: '<m:Items/>',
        },
      );
      continue;
    }
    const writeCtx: ItemWriteContext = {
      mailbox,
      folderSerial: parsed.folderSerial,
      controlChars: ctx.controlCharsFor(mailbox, parsed.folderSerial, rec),
    };
    messages += `<m:${element} ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items>${itemXml(rec, request.shape, writeCtx)}</m:Items></m:${element}>`;
  }
  return responseEnvelope('GetItem', messages);
}

export function getFolder(_ctx: OperationContext, mailbox: SimMailbox, body: Body, xml: string): string {
  const request = parseGetFolder(body, xml);
  const element = 'GetFolderResponseMessage';
  let messages = '';
  for (const ref of request.folders) {
    const resolved = resolveFolder(mailbox, ref);
    if (!resolved.ok) {
      // Exchange says ErrorItemNotFound, not ErrorFolderNotFound, for a missing folder.
      messages +=
        resolved.code === 'ErrorInvalidIdMalformed'
          ? errorMessage(element, 'ErrorInvalidIdMalformed', 'Id is malformed.', { trailer: '<m:Folders/>' })
          : errorMessage(element, 'ErrorItemNotFound', 'The specified object was not found in the store.', {
              trailer: '<m:Folders/>',
            });
      continue;
    }
    messages += `<m:${element} ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Folders>${folderXml(mailbox, resolved.folder, request.shape)}</m:Folders></m:${element}>`;
  }
  return responseEnvelope('GetFolder', messages);
}
