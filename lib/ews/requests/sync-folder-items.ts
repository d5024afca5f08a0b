import { type RequestHeaders, soapEnvelope } from './envelope.js';
import { escapeXml } from './escape.js';
import { type FolderRef, renderFolderId } from './folder-id.js';
import { renderItemId } from './item-id.js';
import { EwsRequestError } from './request-error.js';
import { type ResponseShape, renderShape } from './shapes.js';

export const MAX_CHANGES_RETURNED = 512;

export interface SyncFolderItemsRequest extends RequestHeaders {
  folder: FolderRef;
  shape: ResponseShape;
  /** Absent on the first call. */
  syncState?: string;
  /** Items the server should leave out. */
  ignore?: ReadonlyArray<{ id: string; changeKey?: string }>;
  /** 1..512. */
  maxChangesReturned: number;
  syncScope?: 'NormalItems' | 'NormalAndAssociatedItems';
}

export function buildSyncFolderItemsRequest(request: SyncFolderItemsRequest): string {
  const max = request.maxChangesReturned;
  if (!Number.isInteger(max) || max < 1 || max > MAX_CHANGES_RETURNED) {
    throw new EwsRequestError(
      `MaxChangesReturned must be 1..${MAX_CHANGES_RETURNED}, got ${max}`,
      'maxChangesReturned',
    );
  }
  let body = `<m:SyncFolderItems>${renderShape('ItemShape', request.shape)}`;
  body += `<m:SyncFolderId>${renderFolderId(request.folder)}</m:SyncFolderId>`;
  if (request.syncState !== undefined && request.syncState !== '') {
    body += `<m:SyncState>${escapeXml(request.syncState)}</m:SyncState>`;
  }
  if (request.ignore !== undefined && request.ignore.length > 0) {
    body += '<m:Ignore>';
    for (const id of request.ignore) body += renderItemId(id);
    body += '</m:Ignore>';
  }
  body += `<m:MaxChangesReturned>${max}</m:MaxChangesReturned>`;
  body += `<m:SyncScope>${request.syncScope ?? 'NormalItems'}</m:SyncScope></m:SyncFolderItems>`;
  return soapEnvelope(request, body);
}
