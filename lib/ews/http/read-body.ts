// Capped body reading lives in lib/http (shared with the Graph client and the token request);
// here it is wrapped so EWS callers keep getting an EwsError (kind 'protocol', code
// 'ResponseTooLarge').
import {
  BodyTooLargeError,
  bodyTooLargeMessage,
  DEFAULT_MAX_RESPONSE_BYTES,
  readCappedText as readSharedCappedText,
} from '../../http/read-capped-text.js';
import { EwsError } from '../errors.js';

export { DEFAULT_MAX_RESPONSE_BYTES };

export class ResponseTooLargeError extends EwsError {
  override readonly name = 'ResponseTooLargeError';
  constructor(
    readonly limitBytes: number,
    httpStatus: number,
  ) {
    super('protocol', 'ResponseTooLarge', bodyTooLargeMessage(limitBytes), { httpStatus });
  }
}

/**
 * Reads the body as UTF-8, refusing (and cancelling the transfer) as soon as it passes
 * `maxBytes`: a declared Content-Length over the cap is refused before reading anything.
 * Counts decoded bytes, so a compressed bomb is caught too.
 */
export async function readCappedText(response: Response, maxBytes: number): Promise<string> {
  try {
    return await readSharedCappedText(response, maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      throw new ResponseTooLargeError(error.limitBytes, error.httpStatus);
    throw error;
  }
}
