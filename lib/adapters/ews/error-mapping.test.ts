import { describe, expect, it } from 'vitest';
import { parseSyncFolderItemsResponse } from '../../ews/parse-sync-folder-items.js';
import { fixture } from '../../ews/testing/fixtures.js';
import { toMailSourceError } from './error-mapping.js';

/** The real O365 throttle answer, as ErrorInternalServerError wrapping `inner`. */
function wrapped(inner: string, backOffMs?: number): string {
  const t = 'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"';
  return fixture('ewsrs-sfi-response-error-serverbusy-backoff-messagexml.xml')
    .replace(
      '<m:ResponseCode>ErrorServerBusy</m:ResponseCode>',
      '<m:ResponseCode>ErrorInternalServerError</m:ResponseCode>',
    )
    .replace(
      '<t:Value Name="BackOffMilliseconds">5000</t:Value>',
      `<t:Value Name="InnerErrorResponseCode" ${t}>${inner}</t:Value>` +
        (backOffMs === undefined ? '' : `<t:Value Name="BackOffMilliseconds" ${t}>${backOffMs}</t:Value>`),
    );
}

function mapped(xml: string) {
  try {
    parseSyncFolderItemsResponse(xml);
  } catch (error) {
    return toMailSourceError(error);
  }
  throw new Error('expected an error');
}

describe('toMailSourceError with inner error codes', () => {
  it('pauses the mailbox for the inner ErrorServerBusy back-off', () => {
    expect(mapped(wrapped('ErrorServerBusy', 2500))).toMatchObject({
      kind: 'throttled',
      code: 'ErrorServerBusy',
      retryAfterMs: 2500,
    });
  });

  it('parks the mailbox for an inner ErrorInvalidLicense instead of retrying it', () => {
    expect(mapped(wrapped('ErrorInvalidLicense'))).toMatchObject({
      kind: 'permanent',
      code: 'ErrorInvalidLicense',
    });
  });
});
