import { type RequestHeaders, soapEnvelope } from './envelope.js';
import { renderItemId } from './item-id.js';
import { EwsRequestError } from './request-error.js';
import { type ResponseShape, renderShape } from './shapes.js';

export interface GetItemRequest extends RequestHeaders {
  shape: ResponseShape;
  itemIds: ReadonlyArray<{ id: string; changeKey?: string }>;
}

export function buildGetItemRequest(request: GetItemRequest): string {
  if (request.itemIds.length === 0)
    throw new EwsRequestError('GetItem needs at least one item id', 'itemIds');
  let body = `<m:GetItem>${renderShape('ItemShape', request.shape)}<m:ItemIds>`;
  for (const id of request.itemIds) body += renderItemId(id);
  return soapEnvelope(request, `${body}</m:ItemIds></m:GetItem>`);
}
