import { messageError, openResponse, type ParseContext, responseMessages } from './soap.js';
import type { ResponseMessageStatus } from './types.js';

/**
 * The status of every response message of any EWS operation (DeleteItem, CreateFolder, ...), in
 * order. Faults throw as with the dedicated parsers.
 */
export function parseResponseMessages(xml: string, context: ParseContext = {}): ResponseMessageStatus[] {
  const response = openResponse(xml, '*', context);
  const operation = response.name.replace(/Response$/, '');
  return responseMessages(response).map((message): ResponseMessageStatus => {
    const error = messageError(message, context);
    return error === undefined ? { ok: true, operation, code: 'NoError' } : { ...error, operation };
  });
}
