// Initial URLs and the check every link passes before it is sent with our token.
import { describe, expect, it } from 'vitest';
import { GraphBaseUrl } from './links.js';

const base = new GraphBaseUrl('https://graph.microsoft.com/v1.0/', false);

describe('GraphBaseUrl', () => {
  it('builds initial URLs with URL-encoded segments and $select', () => {
    expect(
      base.build(
        ['users', 'a b@contoso.com', 'mailFolders', 'AA/k+=', 'messages', 'delta'],
        ['subject', 'from'],
      ),
    ).toBe(
      'https://graph.microsoft.com/v1.0/users/a%20b%40contoso.com/mailFolders/AA%2Fk%2B%3D/messages/delta?$select=subject,from',
    );
    expect(base.build(['users', 'u', 'mailFolders', 'delta'], [])).toBe(
      'https://graph.microsoft.com/v1.0/users/u/mailFolders/delta',
    );
    expect(base.build(['users', 'u', 'x'], ['a,b', 'c&d'])).toBe(
      'https://graph.microsoft.com/v1.0/users/u/x?$select=a%2Cb,c%26d',
    );
  });

  it('accepts links under the base URL as they are', () => {
    const link = "https://graph.microsoft.com/v1.0/me/mailfolders('AQMk')/messages/delta?$skiptoken=Gw";
    expect(base.check(link, 'permanent', 'op')).toBe(new URL(link).href);
    expect(
      base.check('https://graph.microsoft.com/V1.0/users/u/delta?$deltatoken=x', 'permanent', 'op'),
    ).toContain('$deltatoken=x');
  });

  it.each([
    'https://evil.example/v1.0/users/u/mailFolders/delta',
    'http://graph.microsoft.com/v1.0/users/u/mailFolders/delta',
    'https://graph.microsoft.com:8443/v1.0/users/u/mailFolders/delta',
    'https://graph.microsoft.com/beta/users/u/mailFolders/delta',
    'https://graph.microsoft.com/v1.0/../beta/users/u',
    'https://graph.microsoft.com/v1.0/%2e%2e/beta/users/u',
    'https://graph.microsoft.com/v1.0x/users/u',
    'https://graph.microsoft.com/v1.0',
    'https://user:pw@graph.microsoft.com/v1.0/users/u',
    '/v1.0/users/u/mailFolders/delta',
    'not a url',
  ])('refuses %s as ForeignLink, naming no query', (link) => {
    let error: unknown;
    try {
      base.check(`${link}?$deltatoken=SECRET`, 'permanent', 'messages delta');
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ kind: 'permanent', code: 'ForeignLink' });
    expect((error as Error).message).not.toContain('SECRET');
  });

  it('requires https unless allowed, and no query in the base URL', () => {
    expect(() => new GraphBaseUrl('http://graph.microsoft.com/v1.0', false)).toThrow(/must use https/);
    expect(new GraphBaseUrl('http://127.0.0.1:1/v1.0', true).href).toBe('http://127.0.0.1:1/v1.0');
    expect(() => new GraphBaseUrl('https://graph.microsoft.com/v1.0?x=1', false)).toThrow(/no query/);
    expect(() => new GraphBaseUrl('graph.microsoft.com', false)).toThrow(/not a URL/);
  });
});
