// The error classification table, tested as a table: every row of the brief, and the rule order.
import { describe, expect, it } from 'vitest';
import { classifyErrorAnswer, type ErrorAnswer, GRAPH_ERROR_RULES } from './classify.js';
import type { GraphErrorKind } from './errors.js';

type Row = [status: number, code: string | undefined, scope: ErrorAnswer['scope'], kind: GraphErrorKind];

const ROWS: Row[] = [
  [401, 'InvalidAuthenticationToken', 'folder', 'auth'],
  [401, undefined, 'mailbox', 'auth'],
  [403, 'ErrorAccessDenied', 'folder', 'permanent'],
  [403, 'Authorization_RequestDenied', 'mailbox', 'permanent'],
  [404, 'ErrorItemNotFound', 'folder', 'folderNotFound'],
  [404, 'ResourceNotFound', 'folder', 'folderNotFound'],
  [404, 'ErrorFolderNotFound', 'folder', 'folderNotFound'],
  [404, 'ErrorInvalidIdMalformed', 'folder', 'folderNotFound'],
  [400, 'ErrorInvalidIdMalformed', 'folder', 'folderNotFound'],
  [404, 'ErrorItemNotFound', 'mailbox', 'permanent'],
  [404, 'ErrorInvalidUser', 'folder', 'permanent'],
  [404, 'MailboxNotEnabledForRESTAPI', 'folder', 'permanent'],
  [401, 'MailboxNotEnabledForRESTAPI', 'mailbox', 'permanent'],
  [404, undefined, 'folder', 'permanent'],
  [410, undefined, 'folder', 'invalidSyncState'],
  [410, 'SyncStateNotFound', 'folder', 'invalidSyncState'],
  [400, 'syncStateNotFound', 'folder', 'invalidSyncState'],
  [400, 'resyncRequired', 'mailbox', 'invalidSyncState'],
  [400, 'SyncStateInvalid', 'folder', 'invalidSyncState'],
  [500, 'InvalidSyncStateData', 'folder', 'invalidSyncState'],
  [429, 'ApplicationThrottled', 'folder', 'throttled'],
  [429, undefined, 'folder', 'throttled'],
  [503, 'ServiceUnavailable', 'mailbox', 'throttled'],
  [503, 'MailboxConcurrency', 'folder', 'throttled'],
  [400, 'TooManyRequests', 'folder', 'throttled'],
  [500, 'InternalServerError', 'folder', 'transient'],
  [502, undefined, 'folder', 'transient'],
  [504, 'GatewayTimeout', 'mailbox', 'transient'],
  [400, 'BadRequest', 'folder', 'protocol'],
  [400, 'ErrorInvalidProperty', 'folder', 'protocol'],
  [405, undefined, 'mailbox', 'protocol'],
  [204, undefined, 'mailbox', 'protocol'],
];

describe('classifyErrorAnswer', () => {
  it.each(ROWS)('HTTP %s %s on a %s path is %s', (status, code, scope, kind) => {
    expect(classifyErrorAnswer({ status, ...(code ? { code } : {}), scope, initial: false })).toBe(kind);
  });

  it('matches inner codes and ignores case', () => {
    expect(
      classifyErrorAnswer({
        status: 400,
        code: 'BadRequest',
        innerCode: 'SYNCSTATEINVALID',
        scope: 'folder',
        initial: false,
      }),
    ).toBe('invalidSyncState');
  });

  it('reads a reset on an initial request as transient: there is no link to drop, so no loop', () => {
    expect(classifyErrorAnswer({ status: 410, scope: 'folder', initial: true })).toBe('transient');
    expect(
      classifyErrorAnswer({ status: 400, code: 'resyncRequired', scope: 'mailbox', initial: true }),
    ).toBe('transient');
    expect(classifyErrorAnswer({ status: 429, scope: 'mailbox', initial: true })).toBe('throttled');
  });

  it('ends with a rule that matches everything', () => {
    const last = GRAPH_ERROR_RULES.at(-1)!;
    expect([last.codes, last.status, last.scope]).toEqual([undefined, undefined, undefined]);
  });
});
