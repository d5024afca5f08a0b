import { EwsProtocolError } from './errors.js';
import { readFolderElement } from './folder-element.js';
import { openResponse, type ParseContext, parseBoolean, readId, singleMessage } from './soap.js';
import type { FolderChange, SyncFolderHierarchyPage } from './types.js';
import type { XmlElement } from './xml/element.js';

function readChange(change: XmlElement): FolderChange {
  switch (change.name) {
    case 'Create':
    case 'Update': {
      const folderElement = change.children?.[0];
      if (folderElement === undefined) throw new EwsProtocolError(`${change.name} change without a folder`);
      return { kind: change.name === 'Create' ? 'create' : 'update', ...readFolderElement(folderElement) };
    }
    case 'Delete': {
      const { id, changeKey } = readId(change.child('FolderId'), 'FolderId in Delete');
      return changeKey === undefined
        ? { kind: 'delete', folderId: id }
        : { kind: 'delete', folderId: id, changeKey };
    }
    default:
      throw new EwsProtocolError(`unknown change <${change.name}> in Changes`);
  }
}

/** A SyncFolderHierarchy answer; same error rules as parseSyncFolderItemsResponse. */
export function parseSyncFolderHierarchyResponse(
  xml: string,
  context: ParseContext = {},
): SyncFolderHierarchyPage {
  const ctx = { ...context, folderScoped: true };
  const message = singleMessage(openResponse(xml, 'SyncFolderHierarchyResponse', ctx), ctx);
  const syncState = message.childText('SyncState') ?? '';
  if (syncState.trim() === '')
    throw new EwsProtocolError('successful SyncFolderHierarchy without a SyncState');
  // Optional in the schema, and "true" whenever present (MS-OXWSSYNC): the hierarchy does not page.
  const includesLast = message.childText('IncludesLastFolderInRange');
  const includesLastFolderInRange =
    includesLast === undefined ? true : parseBoolean(includesLast, 'IncludesLastFolderInRange');
  const changesElement = message.child('Changes');
  if (changesElement === undefined)
    throw new EwsProtocolError('SyncFolderHierarchy response without Changes');
  const changes = (changesElement.children ?? []).map(readChange);
  return { syncState, includesLastFolderInRange, changes };
}
