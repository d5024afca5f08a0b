// What the engine does about each EWS ResponseCode, in one table. Descriptions are from
// Microsoft's ResponseCode reference (web-service-reference/responsecode.md) and the throttling
// article (ews-throttling-in-exchange.md). A code missing here is 'other', which the adapter retries
// like a transient error: parking a mailbox or dropping a folder on a guess would be worse.

import type { EwsErrorKind } from './errors.js';

type ClassifiedKind = Exclude<EwsErrorKind, 'other'>;

export const RESPONSE_CODE_TABLE: Readonly<Record<ClassifiedKind, readonly string[]>> = {
  // The server asks us to wait (throttling article, table 3; BackOffMilliseconds when given).
  // Retrying soon would only extend the penalty, so the whole mailbox pauses.
  throttled: ['ErrorServerBusy', 'ErrorExceededConnectionCount', 'ErrorTooManyRequests'],

  // Documented as passing conditions: "try again later", "transient", a store that is offline,
  // paused or overloaded, a mailbox being moved or failing over, a directory or proxy hop that
  // failed. Retried with back-off; nobody has to act.
  transient: [
    'ErrorInternalServerTransientError',
    'ErrorConnectionFailedTransientError',
    'ErrorMailboxStoreUnavailable',
    'ErrorMailboxMoveInProgress',
    'ErrorMailboxFailover',
    'ErrorTimeoutExpired',
    'ErrorADUnavailable',
    'ErrorADOperation',
    'ErrorInsufficientResources',
    'ErrorNotEnoughMemory',
    'ErrorTooManyObjectsOpened',
    'ErrorConnectionFailed',
    'ErrorMailboxLogonFailed',
    'ErrorProxyRequestProcessingFailed',
    'ErrorNoRespondingCASInDestinationSite',
    'ErrorNoApplicableProxyCASServersAvailable',
    'ErrorBatchProcessingStopped',
    // "could not recover, and no more specific code exists". Its inner code, when there is one,
    // is classified first (see soap.ts); the throttling article says to delay on the bare code.
    'ErrorInternalServerError',
  ],

  // The SyncState is refused: start the folder over without one.
  invalidSyncState: ['ErrorInvalidSyncStateData'],

  // The folder being synced is gone, whatever the request (SyncFolderItems names it so).
  folderNotFound: ['ErrorSyncFolderNotFound', 'ErrorFolderNotFound'],

  // The calling account's own credentials need an administrator. 'auth' also drops the cached
  // client, so rotated credentials are read again.
  auth: ['ErrorPasswordExpired', 'ErrorPasswordChangeRequired'],

  // Only an administrator can fix these: the mailbox, its licence, its tenant or the service
  // account's rights. Retrying until exhausted would only hide them; the mailbox is parked.
  permanent: [
    'ErrorInvalidLicense',
    'ErrorOrganizationAccessBlocked',
    'ErrorAccountDisabled',
    'ErrorNonExistentMailbox',
    'ErrorMissingEmailAddress',
    'ErrorMailboxConfiguration',
    'ErrorImpersonateUserDenied',
    'ErrorImpersonationDenied',
    'ErrorImpersonationFailed',
    'ErrorInvalidExchangeImpersonationHeaderData',
    'ErrorAccessDenied',
    'ErrorInvalidSmtpAddress',
    'ErrorNotAllowedExternalSharingByPolicy',
  ],

  // The server did not accept our request as written (schema, RequestServerVersion). A fix in our
  // configuration or code is needed; retries run out and the folder reports the code.
  protocol: [
    'ErrorSchemaValidation',
    'ErrorInvalidRequest',
    'ErrorInvalidServerVersion',
    'ErrorIncorrectSchemaVersion',
  ],
};

/**
 * "Item not found" codes that mean the folder itself when the request targeted one folder
 * (SyncFolderItems, GetFolder); elsewhere they are about items and stay 'other'.
 */
export const FOLDER_SCOPED_NOT_FOUND: readonly string[] = [
  // Exchange 2010 answers GetFolder on a deleted folder with ErrorItemNotFound (NOTES quirk 17).
  'ErrorItemNotFound',
  'ErrorInvalidIdMalformed',
];

/** What the operator reads in lastError or the park reason, for codes whose fix is not obvious. */
const HINTS: Readonly<Record<string, string>> = {
  // The client steps along its version ladder first (server-version.ts): seen here, it ran out.
  ErrorIncorrectSchemaVersion:
    'the request needs a newer RequestServerVersion than any the client tried (up to Exchange2016)',
  ErrorInvalidServerVersion:
    'the server knows none of the RequestServerVersions the client tried (down to Exchange2007_SP1)',
  ErrorInvalidLicense: 'the mailbox has no valid Exchange licence: an administrator must assign one',
  ErrorOrganizationAccessBlocked: 'the tenant is marked for removal: an administrator must act',
  ErrorAccountDisabled: 'the account is disabled: an administrator must enable it',
};

const KINDS = new Map<string, ClassifiedKind>();
for (const [kind, codes] of Object.entries(RESPONSE_CODE_TABLE) as [ClassifiedKind, readonly string[]][]) {
  for (const code of codes) KINDS.set(code, kind);
}
const SCOPED_NOT_FOUND = new Set(FOLDER_SCOPED_NOT_FOUND);

/**
 * Classifies an EWS ResponseCode. `folderScoped` is true when the request targeted one folder
 * (SyncFolderItems, GetFolder): "item not found" then means the folder itself.
 */
export function classifyResponseCode(code: string, folderScoped: boolean): EwsErrorKind {
  const kind = KINDS.get(code);
  if (kind !== undefined) return kind;
  return folderScoped && SCOPED_NOT_FOUND.has(code) ? 'folderNotFound' : 'other';
}

/** The server's message, with what to do about it when the code alone does not say. */
export function describeResponseCode(code: string, message: string): string {
  const hint = HINTS[code];
  return hint === undefined ? message : `${message} (${code}: ${hint})`;
}
