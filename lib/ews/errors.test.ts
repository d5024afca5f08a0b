// The ResponseCode classification table is tested in response-codes.test.ts.
import { describe, expect, it } from 'vitest';
import { EwsError, EwsProtocolError, TooManyChangesError, TooManyElementsError } from './errors.js';

describe('EwsError', () => {
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
    expect(error.outerCode).toBeUndefined();
    const protocol = new EwsProtocolError('bad', { offset: 3 });
    expect(protocol).toBeInstanceOf(EwsError);
    expect(protocol).toMatchObject({
      kind: 'protocol',
      code: 'ProtocolError',
      offset: 3,
      name: 'EwsProtocolError',
    });
  });

  it('keeps the outer code of an inner error', () => {
    const error = new EwsError('throttled', 'ErrorServerBusy', 'busy', {
      outerCode: 'ErrorInternalServerError',
    });
    expect(error).toMatchObject({ code: 'ErrorServerBusy', outerCode: 'ErrorInternalServerError' });
  });

  it('names the bound a refused page passed', () => {
    const changes = new TooManyChangesError(5, 4, { httpStatus: 200 });
    expect(changes).toBeInstanceOf(EwsError);
    expect(changes).toMatchObject({
      name: 'TooManyChangesError',
      kind: 'protocol',
      code: 'TooManyChanges',
      changes: 5,
      maxChanges: 4,
      httpStatus: 200,
    });
    expect(changes.message).toContain('more than the MaxChangesReturned of 4');
    const elements = new TooManyElementsError(20);
    expect(elements).toMatchObject({
      name: 'TooManyElementsError',
      kind: 'protocol',
      code: 'TooManyElements',
      maxElements: 20,
    });
    expect(elements.message).toContain('more than 20 XML elements');
  });
});
