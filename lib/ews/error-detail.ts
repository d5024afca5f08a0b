// Reads the MessageXml of an error answer (SOAP fault detail or ResponseMessage) and decides what
// the error is. Exchange wraps a code the requested schema version does not know, and some
// throttling, in ErrorInternalServerError with the real code as `InnerErrorResponseCode` (the
// throttling article: "An inner ErrorServerBusy error code may be present"). The inner code is the
// more specific statement, so it wins, as in exchangelib; the outer code still decides when we
// have no rule for the inner one.

import type { EwsErrorKind } from './errors.js';
import { classifyResponseCode, describeResponseCode } from './response-codes.js';
import type { XmlElement } from './xml/element.js';

export interface ErrorDetail {
  /** BackOffMilliseconds: how long the server wants us to wait. */
  backOffMs?: number;
  innerCode?: string;
  innerMessage?: string;
}

/** One pass over the `Value` children of a MessageXml element. */
export function readErrorDetail(messageXml: XmlElement | undefined): ErrorDetail {
  const detail: ErrorDetail = {};
  const values = messageXml?.children;
  if (values === undefined) return detail;
  for (const value of values) {
    if (value.name !== 'Value') continue;
    const text = value.text.trim();
    switch (value.attr('Name')) {
      case 'BackOffMilliseconds':
        if (detail.backOffMs === undefined && /^\d{1,10}$/.test(text)) detail.backOffMs = Number(text);
        break;
      case 'InnerErrorResponseCode':
        if (text !== '') detail.innerCode = text;
        break;
      case 'InnerErrorMessageText':
        if (text !== '') detail.innerMessage = text;
        break;
    }
  }
  return detail;
}

export interface ClassifiedServerError {
  kind: EwsErrorKind;
  /** The inner code when there is one, else the code itself. */
  code: string;
  message: string;
  /** Set when `code` is an inner code: the code that wrapped it. */
  outerCode?: string;
  backOffMs?: number;
}

/** The error an answer states, classified by its inner code first. */
export function classifyServerError(
  code: string,
  message: string,
  detail: ErrorDetail,
  folderScoped: boolean,
): ClassifiedServerError {
  const { innerCode, backOffMs } = detail;
  const out: ClassifiedServerError =
    innerCode === undefined || innerCode === code
      ? {
          kind: classifyResponseCode(code, folderScoped),
          code,
          message: describeResponseCode(code, message),
        }
      : {
          kind: innerKind(innerCode, code, folderScoped),
          code: innerCode,
          message: describeResponseCode(
            innerCode,
            `${detail.innerMessage ?? message} (${innerCode} inside ${code})`,
          ),
          outerCode: code,
        };
  if (backOffMs !== undefined) out.backOffMs = backOffMs;
  return out;
}

function innerKind(innerCode: string, outerCode: string, folderScoped: boolean): EwsErrorKind {
  const kind = classifyResponseCode(innerCode, folderScoped);
  return kind === 'other' ? classifyResponseCode(outerCode, folderScoped) : kind;
}
