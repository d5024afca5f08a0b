import { EwsProtocolError, TooManyChangesError } from './errors.js';
import { openResponse, type ParseContext, parseBoolean, readId, singleMessage } from './soap.js';
import type { ItemChange, SyncFolderItemsPage } from './types.js';
import type { XmlElement } from './xml/element.js';
import { elementToObject } from './xml/to-object.js';

function itemChange(kind: 'create' | 'update', change: XmlElement): ItemChange {
  const itemElement = change.children?.[0];
  if (itemElement === undefined) throw new EwsProtocolError(`${change.name} change without an item`);
  const { id, changeKey } = readId(itemElement.child('ItemId'), `${itemElement.name} in ${change.name}`);
  const item = elementToObject(itemElement, 'ItemId');
  return changeKey === undefined
    ? { kind, itemId: id, itemType: itemElement.name, item }
    : { kind, itemId: id, changeKey, itemType: itemElement.name, item };
}

function readChange(change: XmlElement): ItemChange {
  switch (change.name) {
    case 'Create':
      return itemChange('create', change);
    case 'Update':
      return itemChange('update', change);
    case 'Delete': {
      const { id, changeKey } = readId(change.child('ItemId'), 'ItemId in Delete');
      return changeKey === undefined
        ? { kind: 'delete', itemId: id }
        : { kind: 'delete', itemId: id, changeKey };
    }
    case 'ReadFlagChange': {
      const { id, changeKey } = readId(change.child('ItemId'), 'ItemId in ReadFlagChange');
      const isRead = parseBoolean(change.childText('IsRead'), 'ReadFlagChange/IsRead');
      return changeKey === undefined
        ? { kind: 'readFlagChange', itemId: id, isRead }
        : { kind: 'readFlagChange', itemId: id, changeKey, isRead };
    }
    default:
      // Skipping an unknown change could lose data; the engine reports the page instead.
      throw new EwsProtocolError(`unknown change <${change.name}> in Changes`);
  }
}

/**
 * A SyncFolderItems answer as one page of changes. Throws EwsError for a fault or an error
 * response (which carries an empty SyncState that must never be stored) and EwsProtocolError
 * for anything malformed; a page is either complete or not returned at all. With
 * `context.maxChanges` (the request's MaxChangesReturned), a page with more changes is refused
 * (TooManyChangesError).
 */
export function parseSyncFolderItemsResponse(xml: string, context: ParseContext = {}): SyncFolderItemsPage {
  const ctx = { ...context, folderScoped: true };
  const message = singleMessage(openResponse(xml, 'SyncFolderItemsResponse', ctx), ctx);
  const syncState = message.childText('SyncState') ?? '';
  if (syncState.trim() === '') throw new EwsProtocolError('successful SyncFolderItems without a SyncState');
  const includesLastItemInRange = parseBoolean(
    message.childText('IncludesLastItemInRange'),
    'IncludesLastItemInRange',
  );
  const changesElement = message.child('Changes');
  if (changesElement === undefined) throw new EwsProtocolError('SyncFolderItems response without Changes');
  const children = changesElement.children;
  const max = context.maxChanges;
  if (max !== undefined && children !== undefined && children.length > max) {
    throw new TooManyChangesError(children.length, max, { httpStatus: context.httpStatus });
  }
  const changes: ItemChange[] = children === undefined ? [] : new Array(children.length);
  if (children !== undefined) for (let i = 0; i < children.length; i++) changes[i] = readChange(children[i]!);
  return { syncState, includesLastItemInRange, changes };
}
