// Public API of the EWS protocol client. Other modules, the simulator and outside checks rely on
// these names and shapes.

export { BasicAuthProvider } from './auth/basic.js';
export { createAuthProvider } from './auth/create.js';
export {
  defaultTokenUrl,
  EXCHANGE_ONLINE_SCOPE,
  OAuth2ClientCredentialsProvider,
  type OAuth2Options,
} from './auth/oauth2.js';
export type { AuthProvider, EwsCredentials } from './auth/types.js';
export {
  type CallOptions,
  DEFAULT_MAX_ELEMENTS,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT_MS,
  EwsClient,
  type EwsClientOptions,
} from './client.js';
export {
  EwsError,
  type EwsErrorKind,
  EwsProtocolError,
  TooManyChangesError,
  TooManyElementsError,
} from './errors.js';
export { ResponseTooLargeError } from './http/read-body.js';
export { EwsRedirectError } from './http/redirect.js';
export { parseGetFolderResponse } from './parse-get-folder.js';
export { parseGetItemResponse } from './parse-get-item.js';
export { parseResponseMessages } from './parse-response-messages.js';
export { parseSyncFolderHierarchyResponse } from './parse-sync-folder-hierarchy.js';
export { parseSyncFolderItemsResponse } from './parse-sync-folder-items.js';
export { DEFAULT_SERVER_VERSION, type RequestHeaders } from './requests/envelope.js';
export { escapeXml } from './requests/escape.js';
export { DISTINGUISHED_FOLDER_IDS, type FolderRef } from './requests/folder-id.js';
export { buildGetFolderRequest, type GetFolderRequest } from './requests/get-folder.js';
export { buildGetItemRequest, type GetItemRequest } from './requests/get-item.js';
export { EwsRequestError } from './requests/request-error.js';
export type { BaseShape, ResponseShape } from './requests/shapes.js';
export {
  buildSyncFolderHierarchyRequest,
  type SyncFolderHierarchyRequest,
} from './requests/sync-folder-hierarchy.js';
export {
  buildSyncFolderItemsRequest,
  MAX_CHANGES_RETURNED,
  type SyncFolderItemsRequest,
} from './requests/sync-folder-items.js';
export {
  classifyResponseCode,
  describeResponseCode,
  FOLDER_SCOPED_NOT_FOUND,
  RESPONSE_CODE_TABLE,
} from './response-codes.js';
export type { ParseContext } from './soap.js';
export type * from './types.js';
export { XmlElement } from './xml/element.js';
export { parseXml } from './xml/parse-xml.js';
