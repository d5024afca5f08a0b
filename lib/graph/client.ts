// Microsoft Graph v1.0 delta client: mail and contact folder hierarchies, messages and contacts per
// folder, and single folders. One method call = one page (plus at most one retry after a 401 with
// a fresh token); paging, retries and back-off belong to the caller. Protocol only.
//
// Every request, link follow-ups included, sends `Prefer: odata.maxpagesize=N, IdType="ImmutableId"`:
// Prefer headers are not encoded in next/delta links (without it follow-up pages fall back to 10
// entries and mutable ids). Redirects are never followed, answers are read with a size cap, and a
// link is only used when it is under baseUrl, since it receives our bearer token.

import { DEFAULT_MAX_RESPONSE_BYTES } from '../http/read-capped-text.js';
import type { Operation } from './error-answer.js';
import { GraphError, GraphProtocolError } from './errors.js';
import { GraphBaseUrl } from './links.js';
import { type PageLimits, parseFolder, parseFolderPage, parseItemPage } from './parse-answer.js';
import { DEFAULT_TIMEOUT_MS, getJson, op, type RequestSettings } from './request.js';
import type {
  CallContext,
  DeltaPage,
  GraphClientOptions,
  GraphFolder,
  GraphFolderEntry,
  GraphItemEntry,
} from './types.js';

export { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS };
/** Microsoft Graph v1.0 in the global cloud; sovereign clouds have their own hosts. */
export const GRAPH_V1_BASE_URL = 'https://graph.microsoft.com/v1.0';
/** The client-credentials scope of a GraphClient's token provider (lib/auth). */
export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';
/**
 * 100 entries a page: 10x Graph's default of 10, so a folder of 10,000 messages is 100 requests
 * (the budget is 10,000 requests per 10 minutes per app and mailbox), and under the 200 reported
 * as the contacts maximum, so the page size is the same for every endpoint. A page of 100 messages
 * without bodies is a few hundred KB, far below the 8 MiB cap, and one page stays a short unit of
 * work for a worker that persists the link after each page.
 */
export const DEFAULT_MAX_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE_LIMIT = 1000;
/** A page with more than this many times maxPageSize entries is refused as protocol. */
export const PAGE_ENTRIES_FACTOR = 10;

const FOLDER_FIELDS = ['id', 'displayName', 'parentFolderId'] as const;

/** The two item collections delta covers: where they live and the permission they need. */
interface ItemCollection {
  operation: string;
  permission: 'Mail.Read' | 'Contacts.Read';
  folders: string;
  items: string;
}

const ITEM_COLLECTIONS = {
  messages: {
    operation: 'messages delta',
    permission: 'Mail.Read',
    folders: 'mailFolders',
    items: 'messages',
  },
  contacts: {
    operation: 'contacts delta',
    permission: 'Contacts.Read',
    folders: 'contactFolders',
    items: 'contacts',
  },
} satisfies Record<string, ItemCollection>;

export class GraphClient {
  readonly baseUrl: string;
  readonly maxPageSize: number;
  readonly #base: GraphBaseUrl;
  readonly #settings: RequestSettings;

  constructor(options: GraphClientOptions) {
    this.#base = new GraphBaseUrl(options.baseUrl, options.allowInsecureHttp === true);
    this.baseUrl = this.#base.href;
    const pageSize = options.maxPageSize ?? DEFAULT_MAX_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE_LIMIT) {
      throw new GraphError(
        'permanent',
        'InvalidPageSize',
        `maxPageSize must be an integer from 1 to ${MAX_PAGE_SIZE_LIMIT}`,
      );
    }
    this.maxPageSize = pageSize;
    this.#settings = {
      auth: options.auth,
      fetch: options.fetch ?? fetch,
      now: options.now ?? Date.now,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      maxPageSize: pageSize,
      userAgent: options.userAgent ?? 'exchange-sync',
    };
  }

  async mailFoldersDelta(
    user: string,
    link: string | undefined,
    ctx: CallContext,
  ): Promise<DeltaPage<GraphFolderEntry>> {
    const operation = op('mailFolders delta', 'Mail.Read', 'mailbox', link);
    const url = this.#url(operation, link, ['users', user, 'mailFolders', 'delta'], FOLDER_FIELDS);
    return this.#page(operation, url, ctx, parseFolderPage);
  }

  async contactFoldersDelta(
    user: string,
    link: string | undefined,
    ctx: CallContext,
  ): Promise<DeltaPage<GraphFolderEntry>> {
    const operation = op('contactFolders delta', 'Contacts.Read', 'mailbox', link);
    const url = this.#url(operation, link, ['users', user, 'contactFolders', 'delta'], FOLDER_FIELDS);
    return this.#page(operation, url, ctx, parseFolderPage);
  }

  /** `select` applies to the initial request only: Graph encodes it into the links. */
  messagesDelta(
    user: string,
    folderId: string,
    select: string[],
    link: string | undefined,
    ctx: CallContext,
  ) {
    return this.#itemsDelta(ITEM_COLLECTIONS.messages, user, folderId, select, link, ctx);
  }

  contactsDelta(
    user: string,
    folderId: string,
    select: string[],
    link: string | undefined,
    ctx: CallContext,
  ) {
    return this.#itemsDelta(ITEM_COLLECTIONS.contacts, user, folderId, select, link, ctx);
  }

  async #itemsDelta(
    collection: ItemCollection,
    user: string,
    folderId: string,
    select: string[],
    link: string | undefined,
    ctx: CallContext,
  ): Promise<DeltaPage<GraphItemEntry>> {
    const operation = op(collection.operation, collection.permission, 'folder', link);
    const segments = ['users', user, collection.folders, folderId, collection.items, 'delta'];
    return this.#page(operation, this.#url(operation, link, segments, select), ctx, parseItemPage);
  }

  /** A folder by id or well-known name (inbox, msgfolderroot, ...); undefined when it does not exist. */
  async getMailFolder(
    user: string,
    idOrWellKnownName: string,
    ctx: CallContext,
  ): Promise<GraphFolder | undefined> {
    return this.#folder(
      op('get mailFolder', 'Mail.Read', 'folder', undefined),
      ['users', user, 'mailFolders', idOrWellKnownName],
      ctx,
    );
  }

  async getContactFolder(
    user: string,
    idOrWellKnownName: string,
    ctx: CallContext,
  ): Promise<GraphFolder | undefined> {
    return this.#folder(
      op('get contactFolder', 'Contacts.Read', 'folder', undefined),
      ['users', user, 'contactFolders', idOrWellKnownName],
      ctx,
    );
  }

  async #folder(
    operation: Operation,
    segments: string[],
    ctx: CallContext,
  ): Promise<GraphFolder | undefined> {
    try {
      return parseFolder(
        await getJson(this.#settings, operation, this.#base.build(segments, FOLDER_FIELDS), ctx),
      );
    } catch (error) {
      if (error instanceof GraphError && error.kind === 'folderNotFound') return undefined;
      throw error;
    }
  }

  #url(
    operation: Operation,
    link: string | undefined,
    segments: string[],
    select: readonly string[],
  ): string {
    // A stored link pointing elsewhere is a configuration (or storage) problem: permanent.
    return link === undefined
      ? this.#base.build(segments, select)
      : this.#base.check(link, 'permanent', operation.name);
  }

  async #page<T>(
    operation: Operation,
    url: string,
    ctx: CallContext,
    parse: (json: unknown, limits: PageLimits) => DeltaPage<T>,
  ): Promise<DeltaPage<T>> {
    const json = await getJson(this.#settings, operation, url, ctx);
    const limits: PageLimits = {
      maxEntries: this.maxPageSize * PAGE_ENTRIES_FACTOR,
      // A link the server hands out that points elsewhere: the answer is wrong, not our storage.
      checkLink: (link) => this.#base.check(link, 'protocol', operation.name),
    };
    try {
      return parse(json, limits);
    } catch (error) {
      if (error instanceof GraphProtocolError && error.requestId === undefined) {
        throw new GraphProtocolError(error.code, error.message, {
          requestId: ctx.requestId,
          status: 200,
          cause: error,
        });
      }
      throw error;
    }
  }
}
