// Which GraphErrorKind a non-200 Graph answer is: one ordered table, first matching rule wins.
// Codes are compared case-insensitively (Graph spells syncStateNotFound and SyncStateNotFound) and
// match error.code or error.innerError.code.

import type { GraphErrorKind } from './errors.js';

export interface ErrorAnswer {
  status: number;
  code?: string;
  innerCode?: string;
  /** 'folder': the path names one folder (items delta, get folder); 'mailbox': the hierarchy delta. */
  scope: 'folder' | 'mailbox';
  /** A request built from baseUrl (no stored link): there is no sync state to reset. */
  initial: boolean;
}

export interface ErrorRule {
  /** Why the rule exists; the table test names rows by it. */
  reason: string;
  kind: GraphErrorKind;
  codes?: readonly string[];
  status?: (status: number) => boolean;
  scope?: 'folder';
}

const is =
  (...statuses: number[]) =>
  (status: number) =>
    statuses.includes(status);

/** Delta-token expiry and resets (Graph errors doc; EmailEngine and OpenArchiver treat these the same). */
export const SYNC_STATE_CODES = [
  'syncStateNotFound',
  'resyncRequired',
  'SyncStateInvalid',
  'InvalidSyncStateData',
] as const;
export const THROTTLE_CODES = ['MailboxConcurrency', 'ApplicationThrottled', 'TooManyRequests'] as const;
/** The mailbox, not the folder, is missing or unusable through Graph. */
export const MAILBOX_CODES = [
  'ErrorInvalidUser',
  'MailboxNotEnabledForRESTAPI',
  'MailboxNotSupportedForRESTAPI',
] as const;
/** The folder in the path is gone, or its stored id does not parse (e.g. an EWS id left from before). */
export const FOLDER_CODES = [
  'ErrorItemNotFound',
  'ErrorFolderNotFound',
  'ResourceNotFound',
  'ErrorInvalidIdMalformed',
] as const;

export const GRAPH_ERROR_RULES: readonly ErrorRule[] = [
  {
    reason: 'delta token expired or reset, whatever the status',
    kind: 'invalidSyncState',
    codes: SYNC_STATE_CODES,
  },
  { reason: '410 Gone: synchronization reset', kind: 'invalidSyncState', status: is(410) },
  { reason: 'throttling code, whatever the status', kind: 'throttled', codes: THROTTLE_CODES },
  { reason: '429 or 503: throttled', kind: 'throttled', status: is(429, 503) },
  { reason: 'mailbox missing or not enabled for REST', kind: 'permanent', codes: MAILBOX_CODES },
  { reason: '401 after one token refresh', kind: 'auth', status: is(401) },
  { reason: '403: application permission or access policy missing', kind: 'permanent', status: is(403) },
  {
    reason: 'folder code on a folder path',
    kind: 'folderNotFound',
    codes: FOLDER_CODES,
    status: is(400, 404),
    scope: 'folder',
  },
  // Deleting a mirrored folder on a 404 we cannot explain would be worse than parking the mailbox.
  { reason: 'any other 404', kind: 'permanent', status: is(404) },
  { reason: 'other 5xx', kind: 'transient', status: (s) => s >= 500 && s <= 599 },
  { reason: 'anything else (400, other 4xx, unexpected statuses)', kind: 'protocol' },
];

function hasCode(answer: ErrorAnswer, codes: readonly string[]): boolean {
  const wanted = new Set(codes.map((c) => c.toLowerCase()));
  return [answer.code, answer.innerCode].some((c) => c !== undefined && wanted.has(c.toLowerCase()));
}

export function matchingRule(answer: ErrorAnswer): ErrorRule {
  const rule = GRAPH_ERROR_RULES.find(
    (r) =>
      (r.codes === undefined || hasCode(answer, r.codes)) &&
      (r.status === undefined || r.status(answer.status)) &&
      (r.scope === undefined || r.scope === answer.scope),
  );
  return rule!; // the last rule matches everything
}

/**
 * The kind of a non-200 answer. A reset on an initial request is 'transient', not
 * 'invalidSyncState': there is no link to drop, and an engine that restarts the round at once on
 * invalidSyncState would loop without backing off.
 */
export function classifyErrorAnswer(answer: ErrorAnswer): GraphErrorKind {
  const kind = matchingRule(answer).kind;
  return kind === 'invalidSyncState' && answer.initial ? 'transient' : kind;
}
