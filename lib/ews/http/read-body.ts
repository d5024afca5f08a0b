import { EwsError } from '../errors.js';

export class ResponseTooLargeError extends EwsError {
  override readonly name = 'ResponseTooLargeError';
  constructor(
    readonly limitBytes: number,
    httpStatus: number,
  ) {
    super('protocol', 'ResponseTooLarge', `response larger than ${limitBytes} bytes`, { httpStatus });
  }
}

/**
 * Reads the body as UTF-8, refusing (and cancelling the transfer) as soon as it passes
 * `maxBytes`: a declared Content-Length over the cap is refused before reading anything.
 * Counts decoded bytes, so a compressed bomb is caught too.
 */
export async function readCappedText(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(maxBytes, response.status);
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(maxBytes, response.status);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}
