// The core's MailSource over EWS. One call = one server round trip, except a single retry when
// the credentials were rotated under it (see #run); every failure becomes a MailSourceError whose
// kind the engine acts on. Credentials are only ever sent to hosts their secret lists.
import { MailSourceError } from '../../core/errors.js';
import type { Mailbox } from '../../core/model.js';
import type {
  FolderPage,
  ItemPage,
  MailSource,
  SyncHierarchyRequest,
  SyncItemsRequest,
} from '../../core/ports.js';
import { createAuthProvider } from '../../ews/auth/create.js';
import { EwsClient, type EwsClientOptions } from '../../ews/client.js';
import { DISTINGUISHED_FOLDER_IDS, type FolderRef } from '../../ews/requests/folder-id.js';
import { CredentialLeases } from '../secrets/credential-leases.js';
import {
  type CredentialsResolver,
  credentialsSource,
  type ResolvedCredentials,
} from '../secrets/credentials-schema.js';
import { sourceOf } from '../mailbox-source.js';
import { toMailSourceError } from './error-mapping.js';
import { toFolderChange } from './folder-projection.js';
import { fieldUrisFor, toCanonicalChange } from './item-projection.js';

export type { CredentialsResolver } from '../secrets/credentials-schema.js';

/**
 * Client options for every mailbox (timeoutMs, maxResponseBytes, maxElements, ...);
 * maxResponseBytes caps the OAuth2 token answers too.
 */
export type EwsMailSourceOptions = Omit<EwsClientOptions, 'endpoint' | 'auth'>;

/** Hierarchy sync: the kind comes from the class, the mirror keeps name and parent. */
export const FOLDER_PROPERTIES = [
  'folder:DisplayName',
  'folder:FolderClass',
  'folder:ParentFolderId',
] as const;

export const HIERARCHY_ROOT = 'msgfolderroot';

function folderRef(folderId: string): FolderRef {
  return DISTINGUISHED_FOLDER_IDS.has(folderId) ? { distinguishedId: folderId } : { id: folderId };
}

/** Quirk 10 of the fixtures: error answers carry an empty SyncState. Storing one would restart the folder. */
function requireSyncState(syncState: string, operation: string): void {
  if (syncState.trim() === '') {
    throw new MailSourceError('protocol', 'EmptySyncState', `${operation} returned an empty SyncState`);
  }
}

export class EwsMailSource implements MailSource {
  readonly #options: EwsMailSourceOptions;
  /**
   * Per endpoint + credentialsRef, so OAuth tokens and connections are reused; each client lives
   * as long as its credentials' cache entry, and only for an endpoint the secret allows.
   */
  readonly #clients: CredentialLeases<EwsClient>;

  constructor(resolveCredentials: CredentialsResolver, options: EwsMailSourceOptions = {}) {
    this.#options = options;
    this.#clients = new CredentialLeases(
      resolveCredentials,
      (endpoint, resolved) => this.#createClient(endpoint, resolved),
      options.now,
    );
  }

  async syncItems(request: SyncItemsRequest): Promise<ItemPage> {
    const { mailbox } = request;
    return this.#run(mailbox, async (client) => {
      const page = await client.syncFolderItems(
        {
          folder: folderRef(request.folderId),
          shape: {
            baseShape: 'IdOnly',
            additionalProperties: fieldUrisFor(mailbox.properties),
          },
          syncState: request.syncState,
          maxChangesReturned: mailbox.pageSize,
        },
        {
          mailbox: sourceOf(mailbox, 'ews').smtpAddress,
          requestId: request.requestId,
          signal: request.signal,
          onAnswer: request.onAnswer,
        },
      );
      requireSyncState(page.syncState, 'SyncFolderItems');
      return {
        syncState: page.syncState,
        more: !page.includesLastItemInRange,
        changes: page.changes.map((change) => toCanonicalChange(change, mailbox.properties)),
      };
    });
  }

  async syncHierarchy(request: SyncHierarchyRequest): Promise<FolderPage> {
    const { mailbox } = request;
    return this.#run(mailbox, async (client) => {
      const page = await client.syncFolderHierarchy(
        {
          folder: { distinguishedId: HIERARCHY_ROOT },
          shape: { baseShape: 'IdOnly', additionalProperties: FOLDER_PROPERTIES },
          syncState: request.syncState,
        },
        {
          mailbox: sourceOf(mailbox, 'ews').smtpAddress,
          requestId: request.requestId,
          signal: request.signal,
        },
      );
      requireSyncState(page.syncState, 'SyncFolderHierarchy');
      return {
        syncState: page.syncState,
        more: !page.includesLastFolderInRange,
        changes: page.changes.map(toFolderChange),
      };
    });
  }

  async resolveWellKnownFolders(request: {
    mailbox: Mailbox;
    names: string[];
    requestId: string;
    signal?: AbortSignal;
  }): Promise<Record<string, string>> {
    const names = [...new Set(request.names)].filter((name) => DISTINGUISHED_FOLDER_IDS.has(name));
    if (names.length === 0) return {};
    const { mailbox } = request;
    return this.#run(mailbox, async (client) => {
      const results = await client.getFolder(
        { shape: { baseShape: 'IdOnly' }, folders: names.map((distinguishedId) => ({ distinguishedId })) },
        {
          mailbox: sourceOf(mailbox, 'ews').smtpAddress,
          requestId: request.requestId,
          signal: request.signal,
        },
      );
      if (results.length !== names.length) {
        throw new MailSourceError(
          'protocol',
          'ProtocolError',
          `GetFolder answered ${results.length} of ${names.length}`,
        );
      }
      const resolved: Record<string, string> = {};
      results.forEach((result, i) => {
        if (result.ok) resolved[names[i]!] = result.folderId;
        // A folder this mailbox does not have (no archive, ...) is left out; anything else is a failure.
        else if (result.kind !== 'folderNotFound') {
          throw toMailSourceError(result);
        }
      });
      return resolved;
    });
  }

  /** One call through the credentials' client (rotation handled by CredentialLeases.call). */
  #run<T>(mailbox: Mailbox, call: (client: EwsClient) => Promise<T>): Promise<T> {
    return this.#clients.call(
      sourceOf(mailbox, 'ews').endpoint,
      mailbox.credentialsRef,
      call,
      toMailSourceError,
    );
  }

  #createClient(endpoint: string, { credentials }: ResolvedCredentials): EwsClient {
    if (credentialsSource(credentials) !== 'ews') {
      throw new MailSourceError(
        'permanent',
        'CredentialsForOtherSource',
        'the credentials are for Microsoft Graph ("source": "graph"), not EWS: register the mailbox with --source graph or use EWS credentials',
      );
    }
    try {
      const auth = createAuthProvider(credentials, {
        fetch: this.#options.fetch,
        now: this.#options.now,
        allowInsecureHttp: this.#options.allowInsecureHttp,
        maxResponseBytes: this.#options.maxResponseBytes,
      });
      return new EwsClient({ ...this.#options, endpoint, auth });
    } catch (error) {
      throw toMailSourceError(error);
    }
  }
}
