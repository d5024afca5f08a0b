// The shapes of the Graph delta client's API. Protocol only: nothing here knows the engine.

/** Supplies the Authorization header; lib/auth's ClientCredentialsTokenProvider fits. */
export interface GraphAuth {
  /** `Bearer <token>`. May throw lib/auth's TokenRequestError (its kind is kept). */
  authorization(signal?: AbortSignal): Promise<string>;
  /**
   * Graph answered 401: forget the cached token. Called with the refused header, so a provider can
   * keep a token a concurrent call already replaced; a provider may ignore the argument.
   */
  invalidate(rejectedAuthorization?: string): void;
}

export interface GraphClientOptions {
  /** e.g. https://graph.microsoft.com/v1.0; links must stay under it (same origin, path prefix). */
  baseUrl: string;
  auth: GraphAuth;
  fetch?: typeof fetch;
  /** Per call, token included; DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Cap on an answer's decoded size; DEFAULT_MAX_RESPONSE_BYTES (8 MiB). */
  maxResponseBytes?: number;
  /** Sent as `Prefer: odata.maxpagesize` on every request; DEFAULT_MAX_PAGE_SIZE. */
  maxPageSize?: number;
  /** Plain http:// only for tests and the local simulator. */
  allowInsecureHttp?: boolean;
  userAgent?: string;
  now?: () => number;
}

export interface CallContext {
  /** Sent as client-request-id (Microsoft support can trace it) and kept on errors. */
  requestId: string;
  signal?: AbortSignal;
  /** Called when a 200 answer's headers are in, before its body is read. */
  onAnswer?: () => void;
}

/** One delta page: exactly one of nextLink (the round goes on) and deltaLink (the round is done). */
export interface DeltaPage<T> {
  value: T[];
  nextLink?: string;
  deltaLink?: string;
}

/** `@removed.reason`: 'deleted' is gone for good, 'changed' soft-deleted (both: no longer in this collection). */
export type RemovedReason = 'deleted' | 'changed';

export interface GraphFolderEntry {
  id: string;
  displayName?: string;
  parentFolderId?: string;
  removed?: RemovedReason;
}

export interface GraphItemEntry {
  id: string;
  /** `changeKey` when selected, else taken from `@odata.etag` (W/"<changeKey>"), which echoes it. */
  changeKey?: string;
  removed?: RemovedReason;
  /** `@odata.type`, e.g. #microsoft.graph.message or #microsoft.graph.eventMessage. */
  odataType?: string;
  /** The other fields as received (selected properties, `@odata.etag`, ...). */
  props: Record<string, unknown>;
}

export interface GraphFolder {
  id: string;
  displayName?: string;
  parentFolderId?: string;
}
