import { EwsProtocolError } from './errors.js';
import { readFolderElement } from './folder-element.js';
import { messageError, openResponse, type ParseContext, responseMessages } from './soap.js';
import type { GetFolderResult } from './types.js';

/** One entry per GetFolderResponseMessage, in request order (e.g. one per distinguished folder id). */
export function parseGetFolderResponse(xml: string, context: ParseContext = {}): GetFolderResult[] {
  const ctx = { ...context, folderScoped: true };
  const response = openResponse(xml, 'GetFolderResponse', ctx);
  return responseMessages(response).map((message): GetFolderResult => {
    const error = messageError(message, ctx);
    if (error !== undefined) return error;
    const folderElement = message.child('Folders')?.children?.[0];
    if (folderElement === undefined)
      throw new EwsProtocolError('successful GetFolder message without a folder');
    return { ok: true, ...readFolderElement(folderElement) };
  });
}
