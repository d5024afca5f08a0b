// ErrorInternalServerError with an inner code: classified by the inner code (Microsoft's throttling
// article: "An inner ErrorServerBusy error code may be present"), as exchangelib does.
import { describe, expect, it } from 'vitest';
import { EwsError } from './errors.js';
import { parseResponseMessages } from './parse-response-messages.js';
import { parseSyncFolderItemsResponse } from './parse-sync-folder-items.js';
import { fixture } from './testing/fixtures.js';

const T = 'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"';

function innerValues(code: string, text: string, backOffMs?: number): string {
  return (
    `<t:Value Name="InnerErrorMessageText" ${T}>${text}</t:Value>` +
    `<t:Value Name="InnerErrorResponseCode" ${T}>${code}</t:Value>` +
    `<t:Value Name="InnerErrorDescriptiveLinkKey" ${T}>0</t:Value>` +
    (backOffMs === undefined ? '' : `<t:Value Name="BackOffMilliseconds" ${T}>${backOffMs}</t:Value>`)
  );
}

/** The real O365 ErrorServerBusy page (ewsrs-*), re-worded as ErrorInternalServerError with an inner code. */
function wrappedSyncError(innerCode: string, innerText: string, backOffMs?: number): string {
  return fixture('ewsrs-sfi-response-error-serverbusy-backoff-messagexml.xml')
    .replace(
      /<m:MessageText>[^<]*<\/m:MessageText>/,
      '<m:MessageText>An internal server error occurred. The operation failed.</m:MessageText>',
    )
    .replace(
      '<m:ResponseCode>ErrorServerBusy</m:ResponseCode>',
      '<m:ResponseCode>ErrorInternalServerError</m:ResponseCode>',
    )
    .replace(
      /<t:Value Name="BackOffMilliseconds">5000<\/t:Value>/,
      innerValues(innerCode, innerText, backOffMs),
    );
}

function thrown(fn: () => unknown): EwsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EwsError);
    return error as EwsError;
  }
  throw new Error('expected an error');
}

describe('inner error codes', () => {
  it('throttles on an inner ErrorServerBusy and keeps its BackOffMilliseconds', () => {
    const error = thrown(() =>
      parseSyncFolderItemsResponse(
        wrappedSyncError('ErrorServerBusy', 'The server cannot service this request right now.', 4000),
        {
          httpStatus: 200,
        },
      ),
    );
    expect(error).toMatchObject({
      kind: 'throttled',
      code: 'ErrorServerBusy',
      outerCode: 'ErrorInternalServerError',
      backOffMs: 4000,
      httpStatus: 200,
    });
    expect(error.message).toContain('ErrorServerBusy inside ErrorInternalServerError');
  });

  it('parks a mailbox whose inner code is ErrorInvalidLicense (the Dynamics 365 answer)', () => {
    const error = thrown(() =>
      parseSyncFolderItemsResponse(
        wrappedSyncError('ErrorInvalidLicense', 'The license is invalid for this mailbox.'),
      ),
    );
    expect(error).toMatchObject({
      kind: 'permanent',
      code: 'ErrorInvalidLicense',
      outerCode: 'ErrorInternalServerError',
    });
    expect(error.message).toContain('The license is invalid for this mailbox.');
    expect(error.backOffMs).toBeUndefined();
  });

  it('classifies an inner code in a SOAP fault too', () => {
    const fault = fixture('exchangelib-soapfault-errorserverbusy-backoff-297749.xml')
      .replace(/>\s*ErrorServerBusy\s*</, '>ErrorInternalServerError<')
      .replace(
        '<t:Value Name="BackOffMilliseconds">297749</t:Value>',
        innerValues('ErrorMailboxMoveInProgress', 'moving'),
      );
    const error = thrown(() => parseSyncFolderItemsResponse(fault, { httpStatus: 500 }));
    expect(error).toMatchObject({
      kind: 'transient',
      code: 'ErrorMailboxMoveInProgress',
      outerCode: 'ErrorInternalServerError',
    });
  });

  it('falls back to the outer code when the inner one has no rule (the real exchangelib capture)', () => {
    expect(
      parseResponseMessages(
        fixture('exchangelib-deleteitem-response-errorinternalservererror-innererror-messagexml.xml'),
      ),
    ).toMatchObject([
      {
        ok: false,
        code: 'ErrorQuotaExceededOnDelete',
        outerCode: 'ErrorInternalServerError',
        kind: 'transient',
        message: expect.stringContaining('Cannot delete message because the folder is out of quota.'),
      },
    ]);
  });
});
