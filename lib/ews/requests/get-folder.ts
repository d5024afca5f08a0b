import { type RequestHeaders, soapEnvelope } from './envelope.js';
import { type FolderRef, renderFolderId } from './folder-id.js';
import { EwsRequestError } from './request-error.js';
import { type ResponseShape, renderShape } from './shapes.js';

export interface GetFolderRequest extends RequestHeaders {
  shape: ResponseShape;
  /** Usually distinguished ids, to learn their real ids; one response message per entry, in order. */
  folders: readonly FolderRef[];
}

export function buildGetFolderRequest(request: GetFolderRequest): string {
  if (request.folders.length === 0)
    throw new EwsRequestError('GetFolder needs at least one folder', 'folders');
  let body = `<m:GetFolder>${renderShape('FolderShape', request.shape)}<m:FolderIds>`;
  for (const folder of request.folders) body += renderFolderId(folder);
  return soapEnvelope(request, `${body}</m:FolderIds></m:GetFolder>`);
}
