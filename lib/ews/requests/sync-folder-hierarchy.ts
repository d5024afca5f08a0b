import { type RequestHeaders, soapEnvelope } from './envelope.js';
import { escapeXml } from './escape.js';
import { type FolderRef, renderFolderId } from './folder-id.js';
import { type ResponseShape, renderShape } from './shapes.js';

export interface SyncFolderHierarchyRequest extends RequestHeaders {
  shape: ResponseShape;
  /** Root of the synced hierarchy; omitted means the whole mailbox. */
  folder?: FolderRef;
  syncState?: string;
}

export function buildSyncFolderHierarchyRequest(request: SyncFolderHierarchyRequest): string {
  let body = `<m:SyncFolderHierarchy>${renderShape('FolderShape', request.shape)}`;
  if (request.folder !== undefined)
    body += `<m:SyncFolderId>${renderFolderId(request.folder)}</m:SyncFolderId>`;
  if (request.syncState !== undefined && request.syncState !== '') {
    body += `<m:SyncState>${escapeXml(request.syncState)}</m:SyncState>`;
  }
  return soapEnvelope(request, `${body}</m:SyncFolderHierarchy>`);
}
