// The error for an EWS answer that is neither a SOAP answer (200, 500) nor a 401 or a redirect,
// which the client handles before: throttling (503, 429), 403, and any other status.

import { EwsError } from '../errors.js';
import { faultToError, type ParseContext } from '../soap.js';
import { parseXml } from '../xml/parse-xml.js';
import { describeAuthChallenge } from './auth-challenge.js';
import { readCappedText } from './read-body.js';
import { parseRetryAfter } from './retry-after.js';

/** Error bodies (503, 403, ...) are read only this far. */
const ERROR_BODY_LIMIT = 64 * 1024;

export async function errorAnswer(operation: string, response: Response, now: number): Promise<EwsError> {
  const status = response.status;
  const text = await readCappedText(response, ERROR_BODY_LIMIT).catch(() => '');
  if (status === 503 || status === 429) {
    const fault = soapFault(text, { httpStatus: status });
    const backOffMs = parseRetryAfter(response.headers.get('retry-after'), now) ?? fault?.backOffMs;
    return new EwsError('throttled', fault?.code ?? `HTTP_${status}`, `${operation}: HTTP ${status}`, {
      backOffMs,
      httpStatus: status,
    });
  }
  const policyReason = response.headers.get('x-ews-policy-reason');
  if (status === 403 && policyReason !== null) {
    // Exchange Online's EWS block (MC1227454): a tenant policy, not credentials. Retrying cannot
    // help and the credentials are fine; the mailbox has to move to Microsoft Graph.
    return new EwsError(
      'permanent',
      'EwsBlockedByPolicy',
      `${operation} refused: ${policyReason.slice(0, 200)} (Exchange Online blocks EWS since 1 October 2026 ` +
        'and removes it on 1 April 2027): move the mailbox to Microsoft Graph with ' +
        '`exchange-sync mailbox migrate --to graph`',
      { httpStatus: status },
    );
  }
  if (status === 403) {
    return new EwsError(
      'auth',
      'HTTP_403',
      `${operation} forbidden: ${describeAuthChallenge(response.headers)}`,
      { httpStatus: status },
    );
  }
  const kind = status >= 500 ? 'transient' : status === 404 ? 'permanent' : 'protocol';
  return new EwsError(kind, `HTTP_${status}`, `${operation}: unexpected HTTP ${status}`, {
    httpStatus: status,
  });
}

/** A SOAP fault in an error body, if there is one. */
function soapFault(text: string, context: ParseContext): EwsError | undefined {
  if (!text.includes('Fault')) return undefined;
  try {
    const fault = parseXml(text).child('Body')?.child('Fault');
    return fault === undefined ? undefined : faultToError(fault, context);
  } catch {
    return undefined;
  }
}
