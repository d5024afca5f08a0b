// The shared HTTP helpers on built Responses: capped reading, Retry-After, redirect inspection.
import { describe, expect, it } from 'vitest';
import { BodyTooLargeError, readCappedText } from './read-capped-text.js';
import { describeRedirect, inspectRedirect } from './redirect.js';
import { parseRetryAfter } from './retry-after.js';

describe('readCappedText', () => {
  it('reads up to the cap and refuses past it, by declared length or by counting', async () => {
    expect(await readCappedText(new Response('abc'), 3)).toBe('abc');
    await expect(readCappedText(new Response('abcd'), 3)).rejects.toBeInstanceOf(BodyTooLargeError);
    const declared = new Response('a', { headers: { 'content-length': '999' } });
    await expect(readCappedText(declared, 10)).rejects.toMatchObject({ limitBytes: 10, httpStatus: 200 });
  });
});

describe('parseRetryAfter', () => {
  it.each([
    [null, undefined],
    ['7', 7000],
    [' 0 ', 0],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', undefined],
  ])('%s -> %s ms', (value, expected) => {
    expect(parseRetryAfter(value, Date.parse('2026-01-01T00:00:00Z'))).toBe(expected);
  });
});

describe('inspectRedirect', () => {
  const request = 'https://graph.example/v1.0/users/u';

  it('is undefined for an ordinary answer', () => {
    expect(inspectRedirect(new Response('x', { status: 200 }), request)).toBeUndefined();
  });

  it('names the origin only, and a downgrade', () => {
    const response = new Response(null, {
      status: 302,
      headers: { location: 'http://evil.example/p?token=s3cret' },
    });
    const redirect = inspectRedirect(response, request)!;
    expect(redirect).toMatchObject({
      status: 302,
      followed: false,
      locationOrigin: 'http://evil.example',
      downgrade: true,
    });
    const text = describeRedirect('op', redirect);
    expect(text).toContain('http://evil.example');
    expect(text).toContain('downgrade');
    expect(text).not.toContain('s3cret');
  });

  it('says when there is no Location', () => {
    const redirect = inspectRedirect(new Response(null, { status: 301 }), request)!;
    expect(describeRedirect('op', redirect)).toBe('op: HTTP 301 without a Location');
  });
});
