// SOAP envelope handling shared by every response parser: find the response element inside
// Envelope/Body, turn a SOAP Fault into an EwsError, and read `*ResponseMessage` statuses.
// Matching is by local name only: prefixes (`s:`, `soap:`, `soap11:`) and default namespaces vary
// between Exchange versions, and the documentation samples bind the envelope prefix to an
// `https://` URI that no real server sends. We accept all of these.
// Error codes are classified by the one table in response-codes.ts, through error-detail.ts (which
// reads MessageXml: BackOffMilliseconds, and the inner code of an ErrorInternalServerError).

import { classifyServerError, readErrorDetail } from './error-detail.js';
import { EwsError, EwsProtocolError } from './errors.js';
import type { ResponseMessageError } from './types.js';
import type { XmlElement } from './xml/element.js';
import { parseXml } from './xml/parse-xml.js';

export interface ParseContext {
  /** The request targeted one folder: "not found" codes mean the folder is gone. */
  folderScoped?: boolean;
  /** HTTP status of the answer, carried into errors. */
  httpStatus?: number;
  /** Most XML elements accepted in the answer (parseXml's default when absent). */
  maxElements?: number;
  /** SyncFolderItems: the MaxChangesReturned of the request; a page with more is refused. */
  maxChanges?: number;
}

function localPart(qname: string): string {
  const colon = qname.lastIndexOf(':');
  return colon === -1 ? qname : qname.slice(colon + 1);
}

export function faultToError(fault: XmlElement, context: ParseContext): EwsError {
  const detail = fault.child('detail') ?? fault.child('Detail');
  const faultCode = localPart((fault.childText('faultcode') ?? '').trim());
  const responseCode = detail?.childText('ResponseCode')?.trim();
  const code = responseCode || faultCode || 'SoapFault';
  const message =
    detail?.childText('Message')?.trim() || fault.childText('faultstring')?.trim() || `SOAP fault ${code}`;
  const classified = classifyServerError(
    code,
    message,
    readErrorDetail(detail?.child('MessageXml')),
    context.folderScoped === true,
  );
  return new EwsError(classified.kind, classified.code, classified.message, {
    backOffMs: classified.backOffMs,
    httpStatus: context.httpStatus,
    outerCode: classified.outerCode,
  });
}

/**
 * Parses the document and returns the response element (`SyncFolderItemsResponse`, ...).
 * Throws the fault as an EwsError, and EwsProtocolError for anything that is not the expected answer.
 */
export function openResponse(xml: string, expected: string, context: ParseContext = {}): XmlElement {
  const root = parseXml(xml, undefined, context.maxElements);
  let response: XmlElement | undefined;
  if (root.name === 'Envelope') {
    const body = root.child('Body');
    if (body === undefined) throw new EwsProtocolError('SOAP envelope without a Body');
    response = body.children?.[0];
    if (response === undefined) throw new EwsProtocolError('empty SOAP Body');
    if (response.name === 'Fault') throw faultToError(response, context);
  } else if (root.name.endsWith('Response')) {
    // Bare response elements appear in the Exchange 2007 documentation samples.
    response = root;
  } else {
    throw new EwsProtocolError(`not a SOAP envelope: root element <${root.name}>`);
  }
  if (expected !== '*' && response.name !== expected) {
    throw new EwsProtocolError(`expected ${expected}, got ${response.name}`);
  }
  return response;
}

/** The `*ResponseMessage` elements, in order. */
export function responseMessages(response: XmlElement): XmlElement[] {
  const container = response.child('ResponseMessages');
  if (container === undefined) throw new EwsProtocolError(`${response.name} without ResponseMessages`);
  return container.children ?? [];
}

/** undefined for Success; the error otherwise (Warning counts as an error: the data is incomplete). */
export function messageError(message: XmlElement, context: ParseContext): ResponseMessageError | undefined {
  const responseClass = message.attr('ResponseClass');
  const code = message.childText('ResponseCode')?.trim() || (responseClass === 'Success' ? 'NoError' : '');
  if (responseClass === 'Success' && code === 'NoError') return undefined;
  if (responseClass !== 'Success' && responseClass !== 'Error' && responseClass !== 'Warning') {
    throw new EwsProtocolError(`${message.name} with ResponseClass ${String(responseClass)}`);
  }
  const finalCode = code || 'UnknownError';
  const classified = classifyServerError(
    finalCode,
    message.childText('MessageText')?.trim() || finalCode,
    readErrorDetail(message.child('MessageXml')),
    context.folderScoped === true,
  );
  const error: ResponseMessageError = {
    ok: false,
    code: classified.code,
    message: classified.message,
    kind: classified.kind,
  };
  if (classified.outerCode !== undefined) error.outerCode = classified.outerCode;
  if (classified.backOffMs !== undefined) error.backOffMs = classified.backOffMs;
  return error;
}

export function toEwsError(error: ResponseMessageError, context: ParseContext): EwsError {
  return new EwsError(error.kind, error.code, error.message, {
    backOffMs: error.backOffMs,
    httpStatus: context.httpStatus,
    outerCode: error.outerCode,
  });
}

/** The one response message of a single-target operation; throws its error. */
export function singleMessage(response: XmlElement, context: ParseContext): XmlElement {
  const messages = responseMessages(response);
  if (messages.length !== 1) {
    throw new EwsProtocolError(`${response.name} with ${messages.length} response messages, expected 1`);
  }
  const message = messages[0]!;
  const error = messageError(message, context);
  if (error !== undefined) throw toEwsError(error, context);
  return message;
}

/** `true`/`false` (and the schema's `1`/`0`); anything else is a protocol error. */
export function parseBoolean(text: string | undefined, what: string): boolean {
  const value = text?.trim();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new EwsProtocolError(`${what} is ${value === undefined ? 'missing' : `'${value}'`}, not a boolean`);
}

/**
 * The Id/ChangeKey of an ItemId or FolderId element, verbatim (ids are opaque: a leading space is
 * kept). A missing Id is a protocol error; an empty one too unless `allowEmpty` (GetItem answers are
 * matched by position, and a sanitised real capture has `Id=""`).
 */
export function readId(
  element: XmlElement | undefined,
  what: string,
  allowEmpty = false,
): { id: string; changeKey?: string } {
  const id = element?.attr('Id');
  if (id === undefined || (id === '' && !allowEmpty)) throw new EwsProtocolError(`${what} without an Id`);
  const changeKey = element!.attr('ChangeKey');
  return changeKey === undefined ? { id } : { id, changeKey };
}
