// The core's MailSource over Microsoft Graph delta queries (Exchange Online). One call = one
// server round trip (the Graph client refreshes a token once on a 401 within it), except a
// single retry when the credentials were rotated under it. Tokens go only to the hosts the
// secret allows, and stored links only to the mailbox's Graph base URL.
import { ClientCredentialsTokenProvider } from '../../auth/client-credentials.js';
import { MailSourceError } from '../../core/errors.js';
import type { FolderKind, Mailbox, MailboxSource } from '../../core/model.js';
import type {
  FolderChange,
  FolderPage,
  ItemPage,
  MailSource,
  SyncHierarchyRequest,
  SyncItemsRequest,
} from '../../core/ports.js';
import { GRAPH_DEFAULT_SCOPE, GraphClient } from '../../graph/client.js';
import type { DeltaPage, GraphFolderEntry } from '../../graph/types.js';
import { sourceOf } from '../mailbox-source.js';
import { CredentialLeases } from '../secrets/credential-leases.js';
import {
  type CredentialsResolver,
  credentialsSource,
  type ResolvedCredentials,
} from '../secrets/credentials-schema.js';
import { toMailSourceError } from './error-mapping.js';
import { advanceHierarchyState, decodeHierarchyState, type FolderCollection } from './hierarchy-state.js';
import { type GraphCollection, selectFor, toItemChange } from './item-projection.js';

/**
 * Graph's delta with immutable ids can lose an item for good (moved A→B→A, it is reported
 * deleted from A and never again: GRAPH-AND-PUSH.md B1), so each folder is synced again from
 * scratch, with a sweep, about once a week.
 */
export const GRAPH_RESYNC_AFTER_MS = 7 * 24 * 3600_000;

/** Graph's limit of concurrent requests per app and mailbox (GRAPH-AND-PUSH.md, limits). */
export const GRAPH_MAX_CONCURRENT_REQUESTS = 4;

export interface GraphMailSourceOptions {
  /** How long a folder's delta link is trusted before a full resync (default a week). */
  resyncAfterMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Plain http:// base URLs and token endpoints: the local simulator only. */
  allowInsecureHttp?: boolean;
}

type GraphSource = Extract<MailboxSource, { kind: 'graph' }>;

/** Calendars, tasks and notes are not synced through Graph (docs/ARCHITECTURE.md says why). */
const COLLECTION_BY_KIND: Partial<Record<FolderKind, GraphCollection>> = {
  mail: 'messages',
  contacts: 'contacts',
};
const KIND_BY_FOLDER_COLLECTION: Record<FolderCollection, FolderKind> = {
  mailFolders: 'mail',
  contactFolders: 'contacts',
};

function toFolderChange(entry: GraphFolderEntry, kind: FolderKind): FolderChange {
  if (entry.removed !== undefined) return { kind: 'delete', folderId: entry.id };
  const folder: Extract<FolderChange, { folder: unknown }>['folder'] = { kind };
  if (entry.displayName !== undefined) folder.displayName = entry.displayName;
  if (entry.parentFolderId !== undefined) folder.parentFolderId = entry.parentFolderId;
  return { kind: 'update', folderId: entry.id, folder };
}

export class GraphMailSource implements MailSource {
  readonly #options: GraphMailSourceOptions;
  /** One token provider per base URL + credentialsRef, living as long as its credentials' cache entry. */
  readonly #tokens: CredentialLeases<{ auth: ClientCredentialsTokenProvider; tenantId: string }>;

  constructor(resolveCredentials: CredentialsResolver, options: GraphMailSourceOptions = {}) {
    this.#options = options;
    this.#tokens = new CredentialLeases(
      resolveCredentials,
      (_baseUrl, resolved) => this.#tokenProvider(resolved),
      options.now,
    );
  }

  resyncAfterMs(): number {
    return this.#options.resyncAfterMs ?? GRAPH_RESYNC_AFTER_MS;
  }

  /** Graph answers a fifth concurrent request per app and mailbox with 429 MailboxConcurrency. */
  maxConcurrentCalls(): number {
    return GRAPH_MAX_CONCURRENT_REQUESTS;
  }

  async syncItems(request: SyncItemsRequest): Promise<ItemPage> {
    const { mailbox } = request;
    const source = sourceOf(mailbox, 'graph');
    const collection = COLLECTION_BY_KIND[request.folderKind ?? 'mail'];
    if (collection === undefined) {
      throw new MailSourceError(
        'permanent',
        'FolderKindNotSupported',
        `Graph sync covers mail and contact folders, not ${request.folderKind} (folder ${request.folderId})`,
      );
    }
    const link = this.#storedLink(source, request.syncState);
    return this.#run(mailbox, async (client) => {
      const ctx = { requestId: request.requestId, signal: request.signal, onAnswer: request.onAnswer };
      const select = selectFor(mailbox.properties, collection);
      const page =
        collection === 'messages'
          ? await client.messagesDelta(source.userId, request.folderId, select, link, ctx)
          : await client.contactsDelta(source.userId, request.folderId, select, link, ctx);
      return {
        syncState: (page.nextLink ?? page.deltaLink)!,
        more: page.nextLink !== undefined,
        changes: page.value.map((entry) => toItemChange(entry, mailbox.properties, collection)),
      };
    });
  }

  async syncHierarchy(request: SyncHierarchyRequest): Promise<FolderPage> {
    const { mailbox } = request;
    const source = sourceOf(mailbox, 'graph');
    const state = decodeHierarchyState(request.syncState);
    const link = this.#storedLink(source, state[state.next]);
    return this.#run(mailbox, async (client) => {
      const ctx = { requestId: request.requestId, signal: request.signal };
      const page: DeltaPage<GraphFolderEntry> =
        state.next === 'mailFolders'
          ? await client.mailFoldersDelta(source.userId, link, ctx)
          : await client.contactFoldersDelta(source.userId, link, ctx);
      const next = advanceHierarchyState(state, page);
      const kind = KIND_BY_FOLDER_COLLECTION[state.next];
      return {
        syncState: JSON.stringify(next.state),
        more: next.more,
        changes: page.value.map((entry) => toFolderChange(entry, kind)),
      };
    });
  }

  /** Well-known names are mail folders in Graph (`inbox`, `sentitems`, `archive`, ...). */
  async resolveWellKnownFolders(request: {
    mailbox: Mailbox;
    names: string[];
    requestId: string;
    signal?: AbortSignal;
  }): Promise<Record<string, string>> {
    const { mailbox } = request;
    const source = sourceOf(mailbox, 'graph');
    const names = [...new Set(request.names)];
    if (names.length === 0) return {};
    return this.#run(mailbox, async (client) => {
      const resolved: Record<string, string> = {};
      // One at a time: the calls count against the mailbox's four concurrent requests.
      for (const name of names) {
        const folder = await client.getMailFolder(source.userId, name, {
          requestId: request.requestId,
          signal: request.signal,
        });
        if (folder !== undefined) resolved[name] = folder.id;
      }
      return resolved;
    });
  }

  /**
   * A stored state that is not a link under this mailbox's base URL (an EWS SyncState left by a
   * migration, or a base URL changed by the operator) is never sent: the folder starts over.
   */
  #storedLink(source: GraphSource, syncState: string | undefined): string | undefined {
    if (syncState === undefined) return undefined;
    const base = source.baseUrl.replace(/\/+$/, '');
    if (syncState.startsWith(`${base}/`)) return syncState;
    throw new MailSourceError(
      'invalidSyncState',
      'ForeignSyncState',
      'the stored state is not a link of this Graph base URL',
    );
  }

  #run<T>(mailbox: Mailbox, call: (client: GraphClient) => Promise<T>): Promise<T> {
    const source = sourceOf(mailbox, 'graph');
    return this.#tokens.call(
      source.baseUrl,
      mailbox.credentialsRef,
      async ({ auth, tenantId }) => {
        if (tenantId.toLowerCase() !== source.tenantId.toLowerCase()) {
          throw new MailSourceError(
            'permanent',
            'TenantMismatch',
            `credentials ${mailbox.credentialsRef} are for tenant ${tenantId}, the mailbox is in ${source.tenantId}`,
          );
        }
        const client = new GraphClient({
          baseUrl: source.baseUrl,
          auth,
          fetch: this.#options.fetch,
          now: this.#options.now,
          timeoutMs: this.#options.timeoutMs,
          maxResponseBytes: this.#options.maxResponseBytes,
          maxPageSize: mailbox.pageSize,
          allowInsecureHttp: this.#options.allowInsecureHttp,
        });
        return call(client);
      },
      toMailSourceError,
    );
  }

  #tokenProvider({ credentials }: ResolvedCredentials): {
    auth: ClientCredentialsTokenProvider;
    tenantId: string;
  } {
    if (credentials.type !== 'oauth2' || credentialsSource(credentials) !== 'graph') {
      throw new MailSourceError(
        'permanent',
        'CredentialsForOtherSource',
        'Graph needs OAuth2 client credentials marked "source": "graph" in the secret (an Entra app with ' +
          'the application permissions Mail.Read and Contacts.Read, admin consent granted)',
      );
    }
    try {
      const { tenantId, clientId, clientSecret, tokenUrl } = credentials;
      const auth = new ClientCredentialsTokenProvider({
        tenantId,
        clientId,
        clientSecret,
        tokenUrl,
        scope: GRAPH_DEFAULT_SCOPE,
        fetch: this.#options.fetch,
        now: this.#options.now,
        allowInsecureHttp: this.#options.allowInsecureHttp,
        maxResponseBytes: this.#options.maxResponseBytes,
      });
      return { auth, tenantId };
    } catch (error) {
      throw toMailSourceError(error);
    }
  }
}
