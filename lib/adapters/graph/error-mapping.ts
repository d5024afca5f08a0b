// Whatever a Graph call threw, in the core's words. The Graph client and the token request
// already classify by the kinds the core knows, so the kind is kept and only the type changes.
import { TokenRequestError } from '../../auth/token-request-error.js';
import { MailSourceError } from '../../core/errors.js';
import { GraphError } from '../../graph/errors.js';

export function toMailSourceError(error: unknown): MailSourceError {
  if (error instanceof MailSourceError) return error;
  if (error instanceof GraphError || error instanceof TokenRequestError) {
    return new MailSourceError(error.kind, error.code, error.message, {
      retryAfterMs: error.retryAfterMs,
      cause: error,
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
