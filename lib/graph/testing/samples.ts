// Graph answers from /work/shared/GRAPH-AND-PUSH.md B4 (excerpts of Microsoft's CC-BY samples,
// GDC concepts/delta-query-messages.md and api-reference/v1.0/api/mailboxitem-delta.md) and C.
// `rebased` points their links at a test server.

export const GRAPH_V1 = 'https://graph.microsoft.com/v1.0';

/** S1: message delta, first page with @odata.nextLink. */
export const S1_FIRST_PAGE = {
  '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Collection(message)',
  '@odata.nextLink':
    "https://graph.microsoft.com/v1.0/me/mailfolders('AQMkADNkNAAAgEMAAAA')/messages/delta?$skiptoken=GwcBoTmPuoTQWfcsAbkYM",
  value: [
    {
      '@odata.type': '#microsoft.graph.message',
      '@odata.etag': 'W/"CQAAABYAAAARn2vdzPFjSbaPPxzjlzOTAAASsKZz"',
      subject: 'Holiday hours update',
      isRead: false,
      sender: { emailAddress: { name: 'Dana Swope', address: 'danas@contoso.com' } },
      id: 'AAMkADNkNAAASq35xAAA=',
    },
  ],
};

/** S2: next round via deltaLink, one deletion plus one update (note the string "true"). */
export const S2_NEXT_ROUND = {
  '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Collection(message)',
  '@odata.deltaLink':
    "https://graph.microsoft.com/v1.0/me/mailfolders('AQMkADNkNAAAgEMAAAA')/messages/delta?$deltatoken=GwcBoTmPuoGNlgXgF1nyUNMXY",
  value: [
    {
      '@odata.type': '#microsoft.graph.message',
      id: 'AAMkADk0MGFkODE3LWE4MmYtNDRhOS0Dh_6qB-pB2Sa2pUum19a6YAAKnLuxoAAA=',
      '@removed': { reason: 'deleted' },
    },
    {
      '@odata.type': '#microsoft.graph.message',
      '@odata.etag': 'W/"CQAAABYAAAARn2vdzPFjSbaPPxzjlzOTAAASsKZz"',
      subject: 'Holiday hours update',
      isRead: 'true',
      sender: { emailAddress: { name: 'Dana Swope', address: 'danas@contoso.com' } },
      id: 'AAMkADNkNAAASq35xAAA=',
    },
  ],
};

/** S3: mailboxItem delta page (v1.0, 2026), with changeKey and a non-message type. */
export const S3_MAILBOX_ITEM_PAGE = {
  '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Collection(mailboxItem)',
  '@odata.nextLink':
    'https://graph.microsoft.com/v1.0/admin/exchange/mailboxes/MBX:e0643f21@a7809c93/folders/AAMkAGUwNjQ4ZyTAAA=/items/delta?$skiptoken={_skipToken_}',
  value: [
    {
      '@odata.type': '#microsoft.graph.mailboxItem',
      '@odata.etag': 'W/"CQAAABYAAACQ2fKdhq8oSKEDSVrdi3lRAAFR+6ZT"',
      createdDateTime: '2021-10-19T06:30:30Z',
      lastModifiedDateTime: '2021-10-19T07:17:06Z',
      changeKey: 'CQAAABYAAACQ2fKdhq8oSKEDSVrdi3lRAAFR+6ZT',
      categories: [],
      type: 'IPM.Note',
      size: 75329,
      id: 'AAMkAGUwNjQ4ZyTAACQ2fKdhq8oSKEDSVrdi3lRAAFSX03WAAA=',
    },
  ],
};

/** The reset answer seen in test code: HTTP 410 with an inner code. */
export const RESET_BODY = {
  error: {
    code: 'SyncStateNotFound',
    message: 'The delta token is no longer valid, and the app must reset the sync state.',
    innerError: { code: 'SyncStateInvalid' },
  },
};

/** The concurrency throttling answer (HTTP 429). */
export const CONCURRENCY_BODY = {
  error: { code: 'ApplicationThrottled', message: 'Application is over its MailboxConcurrency limit.' },
};

/** A sample with its links moved from graph.microsoft.com/v1.0 to `base` (a test server's /v1.0). */
export function rebased<T>(sample: T, base: string): T {
  return JSON.parse(JSON.stringify(sample).replaceAll(GRAPH_V1, base)) as T;
}

export function errorBody(
  code: string,
  message = `${code} happened`,
): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
