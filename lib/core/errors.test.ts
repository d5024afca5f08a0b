import { describe, expect, it } from 'vitest';
import { InvalidJobError, MailSourceError } from './errors.js';

describe('MailSourceError', () => {
  it('carries kind, code and retryAfterMs as fields', () => {
    const error = new MailSourceError('throttled', 'ErrorServerBusy', 'busy', { retryAfterMs: 5000 });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MailSourceError');
    expect([error.kind, error.code, error.retryAfterMs]).toEqual(['throttled', 'ErrorServerBusy', 5000]);
  });

  it('omits retryAfterMs when the server gave none', () => {
    expect(new MailSourceError('transient', 'HTTP_500', 'x').retryAfterMs).toBeUndefined();
  });
});

describe('InvalidJobError', () => {
  it('names the message and the reason', () => {
    expect(new InvalidJobError('missing mailboxId', 'm-1').message).toBe(
      'invalid sync job m-1: missing mailboxId',
    );
  });
});
