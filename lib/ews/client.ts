// Sends EWS requests with fetch. One method call = one server round trip (plus at most one retry
// after a 401 with a refreshed OAuth token, and a few while the server refuses the
// RequestServerVersion: server-version.ts); retry policy otherwise belongs to the engine.
// Keep-alive: Node's fetch (undici) pools and reuses connections per origin by default, so one
// client per endpoint kept across invocations reuses its TLS connections.
// Redirects are never followed (http/redirect.ts); answers that are neither SOAP (200, 500) nor a
// 401 become errors in http/error-answer.ts. Answers are bounded in bytes, XML elements and, for
// SyncFolderItems, changes.

import { randomUUID } from 'node:crypto';
import type { AuthProvider } from './auth/types.js';
import { EwsError, EwsProtocolError } from './errors.js';
import { describeAuthChallenge } from './http/auth-challenge.js';
import { errorAnswer } from './http/error-answer.js';
import { DEFAULT_MAX_RESPONSE_BYTES, readCappedText } from './http/read-body.js';
import { redirectError } from './http/redirect.js';
import { parseGetFolderResponse } from './parse-get-folder.js';
import { parseGetItemResponse } from './parse-get-item.js';
import { parseSyncFolderHierarchyResponse } from './parse-sync-folder-hierarchy.js';
import { parseSyncFolderItemsResponse } from './parse-sync-folder-items.js';
import { DEFAULT_SERVER_VERSION, type RequestHeaders } from './requests/envelope.js';
import { buildGetFolderRequest, type GetFolderRequest } from './requests/get-folder.js';
import { buildGetItemRequest, type GetItemRequest } from './requests/get-item.js';
import {
  buildSyncFolderHierarchyRequest,
  type SyncFolderHierarchyRequest,
} from './requests/sync-folder-hierarchy.js';
import { buildSyncFolderItemsRequest, type SyncFolderItemsRequest } from './requests/sync-folder-items.js';
import { fallbackServerVersion } from './server-version.js';
import type { ParseContext } from './soap.js';
import type {
  GetFolderResult,
  GetItemResult,
  SyncFolderHierarchyPage,
  SyncFolderItemsPage,
} from './types.js';

export { DEFAULT_MAX_RESPONSE_BYTES } from './http/read-body.js';
export { DEFAULT_MAX_ELEMENTS } from './xml/parse-xml.js';

export const DEFAULT_TIMEOUT_MS = 60_000;

export interface EwsClientOptions {
  /** https://host/EWS/Exchange.asmx */
  endpoint: string;
  auth: AuthProvider;
  /** Plain http:// only for the local simulator. */
  allowInsecureHttp?: boolean;
  timeoutMs?: number;
  /** Cap on an answer's decoded size, token answers included; DEFAULT_MAX_RESPONSE_BYTES (8 MiB). */
  maxResponseBytes?: number;
  /** Cap on the XML elements of an answer, enforced while reading; DEFAULT_MAX_ELEMENTS (500,000). */
  maxElements?: number;
  /** RequestServerVersion to start from; defaults to Exchange2013_SP1 (see server-version.ts). */
  serverVersion?: string;
  userAgent?: string;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface CallOptions {
  /** The mailbox's SMTP address: X-AnchorMailbox, and ExchangeImpersonation unless `impersonate` is false. */
  mailbox: string;
  impersonate?: boolean;
  /** Sent as client-request-id and echoed in errors; a UUID when absent. */
  requestId?: string;
  /** Caller's abort (e.g. the Lambda is about to time out). */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Called when the answer's status and headers are in, before its body is read. */
  onAnswer?: () => void;
}

type WithoutHeaders<T> = Omit<T, keyof RequestHeaders>;

export class EwsClient {
  readonly endpoint: string;
  readonly #options: EwsClientOptions;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  /** The RequestServerVersion sent; moves along the fallback ladder when the server refuses it. */
  #serverVersion: string;

  constructor(options: EwsClientOptions) {
    let url: URL;
    try {
      url = new URL(options.endpoint);
    } catch (error) {
      throw new EwsError('permanent', 'InvalidEndpoint', 'EWS endpoint is not a URL', { cause: error });
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowInsecureHttp === true)) {
      throw new EwsError('permanent', 'InsecureEndpoint', `EWS endpoint must use https: ${url.origin}`);
    }
    this.endpoint = url.toString();
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? Date.now;
    this.#serverVersion = options.serverVersion ?? DEFAULT_SERVER_VERSION;
  }

  syncFolderItems(
    request: WithoutHeaders<SyncFolderItemsRequest>,
    call: CallOptions,
  ): Promise<SyncFolderItemsPage> {
    return this.#call(
      'SyncFolderItems',
      (headers) => buildSyncFolderItemsRequest({ ...request, ...headers }),
      call,
      (xml, ctx) => parseSyncFolderItemsResponse(xml, { ...ctx, maxChanges: request.maxChangesReturned }),
    );
  }

  syncFolderHierarchy(
    request: WithoutHeaders<SyncFolderHierarchyRequest>,
    call: CallOptions,
  ): Promise<SyncFolderHierarchyPage> {
    return this.#call(
      'SyncFolderHierarchy',
      (headers) => buildSyncFolderHierarchyRequest({ ...request, ...headers }),
      call,
      (xml, ctx) => parseSyncFolderHierarchyResponse(xml, ctx),
    );
  }

  getItem(request: WithoutHeaders<GetItemRequest>, call: CallOptions): Promise<GetItemResult[]> {
    return this.#call(
      'GetItem',
      (headers) => buildGetItemRequest({ ...request, ...headers }),
      call,
      (xml, ctx) => parseGetItemResponse(xml, ctx),
    );
  }

  getFolder(request: WithoutHeaders<GetFolderRequest>, call: CallOptions): Promise<GetFolderResult[]> {
    return this.#call(
      'GetFolder',
      (headers) => buildGetFolderRequest({ ...request, ...headers }),
      call,
      (xml, ctx) => parseGetFolderResponse(xml, ctx),
    );
  }

  #headers(call: CallOptions, serverVersion: string): RequestHeaders {
    const headers: RequestHeaders = { serverVersion };
    if (call.impersonate !== false) headers.impersonateSmtpAddress = call.mailbox;
    return headers;
  }

  /**
   * One request, sent again with another RequestServerVersion while the server refuses the one
   * sent (server-version.ts); the version it accepts is kept for the client's later calls.
   */
  async #call<T>(
    operation: string,
    build: (headers: RequestHeaders) => string,
    call: CallOptions,
    parse: (xml: string, context: ParseContext) => T,
  ): Promise<T> {
    const tried = new Set<string>();
    for (;;) {
      const version = this.#serverVersion;
      tried.add(version);
      try {
        return await this.#send(operation, build(this.#headers(call, version)), call, parse);
      } catch (error) {
        const next = fallbackServerVersion(version, error);
        if (next === undefined || tried.has(next)) throw error;
        // A concurrent call may have moved on already: keep what it found.
        if (this.#serverVersion === version) this.#serverVersion = next;
      }
    }
  }

  async #send<T>(
    operation: string,
    body: string,
    call: CallOptions,
    parse: (xml: string, context: ParseContext) => T,
  ): Promise<T> {
    const requestId = call.requestId ?? randomUUID();
    const timeout = AbortSignal.timeout(call.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    try {
      for (let attempt = 0; ; attempt++) {
        const authorization = await this.#options.auth.authorization(signal);
        const response = await this.#fetch(this.endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'text/xml; charset=utf-8',
            accept: 'text/xml',
            soapaction: `"http://schemas.microsoft.com/exchange/services/2006/messages/${operation}"`,
            authorization,
            'x-anchormailbox': call.mailbox,
            'client-request-id': requestId,
            'return-client-request-id': 'true',
            'user-agent': this.#options.userAgent ?? 'exchange-sync',
          },
          body,
          signal,
          // Never followed: see http/redirect.ts.
          redirect: 'manual',
        });
        const redirect = redirectError(operation, response, this.endpoint, 'permanent');
        if (redirect !== undefined) {
          await response.body?.cancel().catch(() => undefined);
          throw redirect;
        }
        if (response.status === 401) {
          await response.body?.cancel().catch(() => undefined);
          if (attempt === 0 && this.#options.auth.rejected(authorization)) continue;
          throw new EwsError(
            'auth',
            'HTTP_401',
            `${operation} unauthorized: ${describeAuthChallenge(response.headers)}`,
            {
              httpStatus: 401,
            },
          );
        }
        call.onAnswer?.();
        return await this.#handle(operation, response, parse);
      }
    } catch (error) {
      if (error instanceof EwsError) throw error;
      if (timeout.aborted) {
        throw new EwsError(
          'transient',
          'Timeout',
          `${operation} timed out (client-request-id ${requestId})`,
          {
            cause: error,
          },
        );
      }
      if (call.signal?.aborted) {
        throw new EwsError('transient', 'Aborted', `${operation} aborted by the caller`, { cause: error });
      }
      const cause = (error as { cause?: { code?: string } }).cause;
      throw new EwsError(
        'transient',
        'NetworkError',
        `${operation} failed: ${cause?.code ?? String(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  async #handle<T>(
    operation: string,
    response: Response,
    parse: (xml: string, context: ParseContext) => T,
  ): Promise<T> {
    const status = response.status;
    if (status !== 200 && status !== 500) throw await errorAnswer(operation, response, this.#now());
    const context: ParseContext = { httpStatus: status, maxElements: this.#options.maxElements };
    const text = await readCappedText(response, this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
    try {
      return parse(text, context);
    } catch (error) {
      // A 500 whose body is not a SOAP answer (IIS error page): the server failed, not the protocol.
      if (status === 500 && error instanceof EwsProtocolError) {
        throw new EwsError('transient', 'HTTP_500', `${operation}: HTTP 500 without a SOAP fault`, {
          httpStatus: 500,
          cause: error,
        });
      }
      throw error;
    }
  }
}
