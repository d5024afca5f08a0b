// Reading an HTTP answer with a size cap, for every protocol client and the token request: a
// broken or hostile server must not be able to fill the memory of a worker.

/**
 * The default cap on an answer's decoded size. The largest real EWS page measured (512 changes
 * with about 30 properties, never bodies) is 1.7 MB; 8 MiB leaves room for long subjects and
 * recipient lists without letting a broken server fill the memory.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** The answer passed `limitBytes`; the transfer was cancelled. Protocol clients wrap it in their own error. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';

  constructor(
    readonly limitBytes: number,
    readonly httpStatus: number,
  ) {
    super(bodyTooLargeMessage(limitBytes));
  }
}

/** The message of a refused answer, shared so wrapped errors read the same in every protocol. */
export function bodyTooLargeMessage(limitBytes: number): string {
  return `response larger than the ${limitBytes}-byte cap (maxResponseBytes, ${humanBytes(limitBytes)})`;
}

function humanBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/**
 * Reads the body as UTF-8, refusing (and cancelling the transfer) as soon as it passes
 * `maxBytes`: a declared Content-Length over the cap is refused before reading anything.
 * Counts decoded bytes, so a compressed bomb is caught too. Throws BodyTooLargeError.
 */
export async function readCappedText(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(maxBytes, response.status);
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
      throw new BodyTooLargeError(maxBytes, response.status);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** Drops an answer's body unread (so the connection can be reused or closed); never throws. */
export async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}
