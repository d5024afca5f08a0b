import { MailSourceError, type MailSourceErrorKind } from '../../core/errors.js';
import { EwsError, type EwsErrorKind } from '../../ews/errors.js';
import type { ResponseMessageError } from '../../ews/types.js';

const KINDS: Record<EwsErrorKind, MailSourceErrorKind> = {
  throttled: 'throttled',
  transient: 'transient',
  invalidSyncState: 'invalidSyncState',
  folderNotFound: 'folderNotFound',
  auth: 'auth',
  permanent: 'permanent',
  protocol: 'protocol',
  // A code we have no rule for: retry with back-off and keep the code in lastError, rather than
  // park a mailbox or drop a folder on a guess.
  other: 'transient',
};

/** Maps whatever an EWS call threw (or a failed response message) onto the core's error kinds. */
export function toMailSourceError(error: unknown): MailSourceError {
  if (error instanceof MailSourceError) return error;
  if (error instanceof EwsError) {
    return new MailSourceError(KINDS[error.kind], error.code, error.message, {
      retryAfterMs: error.backOffMs,
      cause: error,
    });
  }
  if (isResponseMessageError(error)) {
    return new MailSourceError(KINDS[error.kind], error.code, error.message, {
      retryAfterMs: error.backOffMs,
    });
  }
  // A bug on our side, not the server's: surfaced as a page that cannot be understood.
  return new MailSourceError(
    'protocol',
    'UnexpectedError',
    error instanceof Error ? error.message : String(error),
    {
      cause: error,
    },
  );
}

function isResponseMessageError(value: unknown): value is ResponseMessageError {
  return (
    typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false && 'kind' in value
  );
}
