import { EwsProtocolError } from './errors.js';
import { messageError, openResponse, type ParseContext, readId, responseMessages } from './soap.js';
import type { GetItemResult } from './types.js';
import { elementToObject } from './xml/to-object.js';

/** One entry per GetItemResponseMessage, in request order; per-item errors are entries, not throws. */
export function parseGetItemResponse(xml: string, context: ParseContext = {}): GetItemResult[] {
  const response = openResponse(xml, 'GetItemResponse', context);
  return responseMessages(response).map((message): GetItemResult => {
    const error = messageError(message, context);
    if (error !== undefined) return error;
    const itemElement = message.child('Items')?.children?.[0];
    if (itemElement === undefined) throw new EwsProtocolError('successful GetItem message without an item');
    const { id, changeKey } = readId(itemElement.child('ItemId'), `${itemElement.name}/ItemId`, true);
    const item = elementToObject(itemElement, 'ItemId');
    return changeKey === undefined
      ? { ok: true, itemId: id, itemType: itemElement.name, item }
      : { ok: true, itemId: id, changeKey, itemType: itemElement.name, item };
  });
}
