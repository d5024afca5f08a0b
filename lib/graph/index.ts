// Public API of the Microsoft Graph delta client. The engine's Graph adapter builds on these names.

export {
  classifyErrorAnswer,
  type ErrorAnswer,
  type ErrorRule,
  FOLDER_CODES,
  GRAPH_ERROR_RULES,
  MAILBOX_CODES,
  SYNC_STATE_CODES,
  THROTTLE_CODES,
} from './classify.js';
export {
  DEFAULT_MAX_PAGE_SIZE,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT_MS,
  GRAPH_DEFAULT_SCOPE,
  GRAPH_V1_BASE_URL,
  GraphClient,
  MAX_PAGE_SIZE_LIMIT,
  PAGE_ENTRIES_FACTOR,
} from './client.js';
export { GraphError, type GraphErrorKind, type GraphErrorOptions, GraphProtocolError } from './errors.js';
export type * from './types.js';
