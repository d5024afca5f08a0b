// Moved to lib/http (shared with the Graph client); re-exported so EWS importers keep working.
export { parseRetryAfter } from '../../http/retry-after.js';
