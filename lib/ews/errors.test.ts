import { describe, expect, it } from 'vitest';
import { classifyResponseCode, EwsError, EwsProtocolError } from './errors.js';

describe('classifyResponseCode', () => {
  it.each([
    ['ErrorServerBusy', false, 'throttled'],
    ['ErrorExceededConnectionCount', false, 'throttled'],
    ['ErrorInternalServerTransientError', false, 'transient'],
    ['ErrorTooManyObjectsOpened', false, 'transient'],
    ['ErrorMailboxStoreUnavailable', false, 'transient'],
    ['ErrorMailboxMoveInProgress', false, 'transient'],
    ['ErrorTimeoutExpired', false, 'transient'],
    ['ErrorInvalidSyncStateData', true, 'invalidSyncState'],
    ['ErrorSyncFolderNotFound', false, 'folderNotFound'],
    ['ErrorFolderNotFound', false, 'folderNotFound'],
    ['ErrorItemNotFound', true, 'folderNotFound'],
    ['ErrorItemNotFound', false, 'other'],
    ['ErrorInvalidIdMalformed', true, 'folderNotFound'],
    ['ErrorNonExistentMailbox', false, 'permanent'],
    ['ErrorImpersonateUserDenied', false, 'permanent'],
    ['ErrorAccessDenied', false, 'permanent'],
    ['ErrorSchemaValidation', false, 'protocol'],
    ['ErrorInvalidServerVersion', false, 'protocol'],
    ['ErrorSomethingNew', false, 'other'],
  ] as const)('%s (folder scoped: %s) is %s', (code, folderScoped, kind) => {
    expect(classifyResponseCode(code, folderScoped)).toBe(kind);
  });

  it('errors carry their context as fields', () => {
    const error = new EwsError('throttled', 'ErrorServerBusy', 'busy', { backOffMs: 5, httpStatus: 500 });
    expect(error).toBeInstanceOf(Error);
    expect({ ...error, message: error.message, name: error.name }).toMatchObject({
      kind: 'throttled',
      code: 'ErrorServerBusy',
      message: 'busy',
      backOffMs: 5,
      httpStatus: 500,
      name: 'EwsError',
    });
    const protocol = new EwsProtocolError('bad', { offset: 3 });
    expect(protocol).toBeInstanceOf(EwsError);
    expect(protocol).toMatchObject({
      kind: 'protocol',
      code: 'ProtocolError',
      offset: 3,
      name: 'EwsProtocolError',
    });
  });
});
