import { EwsError } from '../errors.js';

/**
 * The default cap on an answer's decoded size (EWS answers and token answers alike). The largest
 * real page measured (512 changes with about 30 properties, never bodies) is 1.7 MB; 8 MiB leaves
 * room for long subjects and recipient lists without letting a broken server fill the memory.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export class ResponseTooLargeError extends EwsError {
  override readonly name = 'ResponseTooLargeError';
  constructor(
    readonly limitBytes: number,
    httpStatus: number,
  ) {
    super(
      'protocol',
      'ResponseTooLarge',
      `response larger than the ${limitBytes}-byte cap (maxResponseBytes, ${humanBytes(limitBytes)})`,
      { httpStatus },
    );
  }
}

function humanBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
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
