import { describe, expect, it } from 'vitest';
import type { EwsErrorKind } from './errors.js';
import { parseSyncFolderItemsResponse } from './parse-sync-folder-items.js';
import {
  classifyResponseCode,
  describeResponseCode,
  FOLDER_SCOPED_NOT_FOUND,
  RESPONSE_CODE_TABLE,
} from './response-codes.js';

function sfiError(code: string, messageText = 'failed'): string {
  return `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
    <m:SyncFolderItemsResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">
    <m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass="Error">
    <m:MessageText>${messageText}</m:MessageText><m:ResponseCode>${code}</m:ResponseCode>
    <m:DescriptiveLinkKey>0</m:DescriptiveLinkKey><m:SyncState/>
    <m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>
    </m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse></s:Body></s:Envelope>`;
}

describe('the ResponseCode table', () => {
  // Each row was checked against Microsoft's ResponseCode reference (and the throttling article).
  it.each<[string, boolean, EwsErrorKind]>([
    // Throttled.
    ['ErrorServerBusy', false, 'throttled'],
    ['ErrorExceededConnectionCount', false, 'throttled'],
    // Documented as passing: retried, never parked.
    ['ErrorInternalServerTransientError', false, 'transient'],
    ['ErrorConnectionFailedTransientError', false, 'transient'],
    ['ErrorMailboxStoreUnavailable', false, 'transient'],
    ['ErrorMailboxMoveInProgress', false, 'transient'],
    ['ErrorMailboxFailover', false, 'transient'],
    ['ErrorTimeoutExpired', false, 'transient'],
    ['ErrorADUnavailable', false, 'transient'],
    ['ErrorInsufficientResources', false, 'transient'],
    ['ErrorTooManyObjectsOpened', false, 'transient'],
    ['ErrorInternalServerError', false, 'transient'],
    // SyncState and folders.
    ['ErrorInvalidSyncStateData', true, 'invalidSyncState'],
    ['ErrorSyncFolderNotFound', false, 'folderNotFound'],
    ['ErrorFolderNotFound', false, 'folderNotFound'],
    ['ErrorItemNotFound', true, 'folderNotFound'],
    ['ErrorItemNotFound', false, 'other'],
    ['ErrorInvalidIdMalformed', true, 'folderNotFound'],
    // An administrator must act: parked, not retried until exhausted.
    ['ErrorInvalidLicense', false, 'permanent'],
    ['ErrorOrganizationAccessBlocked', false, 'permanent'],
    ['ErrorAccountDisabled', false, 'permanent'],
    ['ErrorNonExistentMailbox', false, 'permanent'],
    ['ErrorImpersonateUserDenied', false, 'permanent'],
    ['ErrorImpersonationFailed', false, 'permanent'],
    ['ErrorAccessDenied', false, 'permanent'],
    ['ErrorPasswordExpired', false, 'auth'],
    // Our request as written was refused.
    ['ErrorSchemaValidation', false, 'protocol'],
    ['ErrorInvalidServerVersion', false, 'protocol'],
    ['ErrorIncorrectSchemaVersion', false, 'protocol'],
    // No rule: the adapter retries it like a transient error.
    ['ErrorSomethingNew', false, 'other'],
  ])('%s (folder scoped: %s) is %s', (code, folderScoped, kind) => {
    expect(classifyResponseCode(code, folderScoped)).toBe(kind);
  });

  it('lists every code once, and classifies every listed code as its group', () => {
    const all = Object.values(RESPONSE_CODE_TABLE).flat();
    expect(new Set(all).size).toBe(all.length);
    for (const [kind, codes] of Object.entries(RESPONSE_CODE_TABLE)) {
      for (const code of codes) {
        expect(classifyResponseCode(code, false), code).toBe(kind);
        expect(classifyResponseCode(code, true), code).toBe(kind);
      }
    }
    for (const code of FOLDER_SCOPED_NOT_FOUND) expect(all).not.toContain(code);
  });

  it('says what to do about ErrorIncorrectSchemaVersion', () => {
    const text =
      'The request is valid but does not specify the correct server version in the RequestServerVersion SOAP header.';
    expect(() => parseSyncFolderItemsResponse(sfiError('ErrorIncorrectSchemaVersion', text))).toThrow(
      expect.objectContaining({
        kind: 'protocol',
        code: 'ErrorIncorrectSchemaVersion',
        message: expect.stringMatching(/newer RequestServerVersion than any the client tried/),
      }),
    );
    expect(describeResponseCode('ErrorServerBusy', 'busy')).toBe('busy');
  });

  it('parks an unlicensed mailbox instead of retrying it', () => {
    expect(() => parseSyncFolderItemsResponse(sfiError('ErrorInvalidLicense'))).toThrow(
      expect.objectContaining({ kind: 'permanent', code: 'ErrorInvalidLicense' }),
    );
  });
});
