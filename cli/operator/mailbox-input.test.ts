import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../lib/settings/index.js';
import { UsageError } from './errors.js';
import { mailboxDefaults, parseMailboxAdd } from './mailbox-input.js';

const defaults = { pageSize: 512, maxConcurrentSyncs: 4, secretPrefix: 'exchange-sync/' };
const valid = {
  smtp: 'Carol@Fabrikam.com',
  endpoint: 'https://mail.fabrikam.com/EWS/Exchange.asmx',
  credentials: 'exchange-sync/fabrikam',
};
const names = { pageSize: 'DEFAULT_PAGE_SIZE', maxConcurrent: 'MAX', secretPrefix: 'SECRET_PREFIX' };

function problem(flags: Partial<typeof valid> & Record<string, unknown>): string {
  try {
    parseMailboxAdd({ ...valid, ...flags } as typeof valid, defaults, 1);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('parseMailboxAdd', () => {
  it('builds the registry row with the defaults and a lower-cased id', () => {
    expect(parseMailboxAdd(valid, defaults, 5)).toEqual({
      mailboxId: 'carol@fabrikam.com',
      source: { kind: 'ews', smtpAddress: 'Carol@Fabrikam.com', endpoint: valid.endpoint },
      credentialsRef: 'exchange-sync/fabrikam',
      folderFilter: {},
      pageSize: 512,
      properties: ['subject', 'from', 'receivedAt', 'lastModifiedAt'],
      maxConcurrentSyncs: 4,
      status: 'enabled',
      createdAt: 5,
      updatedAt: 5,
    });
  });

  it('parses lists, trimming blanks', () => {
    const row = parseMailboxAdd(
      {
        ...valid,
        folders: 'inbox, sentitems,',
        kinds: 'mail,calendar',
        properties: 'subject',
      },
      defaults,
      1,
    );
    expect(row.folderFilter).toEqual({
      wellKnownNames: ['inbox', 'sentitems'],
      kinds: ['mail', 'calendar'],
    });
    expect(row.properties).toEqual(['subject']);
  });

  it('builds a Graph mailbox from --tenant and --user, with the Graph base URL by default', () => {
    const { smtp: _smtp, endpoint: _endpoint, ...rest } = valid;
    const row = parseMailboxAdd(
      { ...rest, source: 'graph', tenant: 'fabrikam.onmicrosoft.com', user: 'Carol@Fabrikam.com' },
      defaults,
      5,
    );
    expect(row.mailboxId).toBe('carol@fabrikam.com');
    expect(row.source).toEqual({
      kind: 'graph',
      tenantId: 'fabrikam.onmicrosoft.com',
      userId: 'Carol@Fabrikam.com',
      baseUrl: 'https://graph.microsoft.com/v1.0',
    });
    expect(problem({ source: 'graph' })).toContain('--tenant: is required with --source graph');
    expect(problem({ source: 'graph' })).toContain('--endpoint: does not apply to --source graph');
    expect(problem({ source: 'imap' })).toContain('--source: must be ews or graph');
  });

  it.each([
    [{ pageSize: '0' }, '--page-size: must be at least 1'],
    [{ pageSize: '12.5' }, '--page-size: must be a whole number'],
    [{ maxConcurrent: '51' }, '--max-concurrent: must be at most 50'],
    [{ endpoint: 'ftp://x.example/EWS' }, '--endpoint: must be an https:// URL'],
    [{ endpoint: 'not a url' }, '--endpoint: must be an absolute URL'],
    [{ credentials: 'exchange-sync/' }, '--credentials: must be a Secrets Manager name under exchange-sync/'],
    [{ credentials: 'other/tenant' }, '--credentials'],
    [{ credentials: 'local:' }, '--credentials'],
    [{ folders: ',' }, '--folders: at least one'],
    [{ properties: 'item:Subject;drop' }, '--properties: must be one of subject, from'],
    [{ kinds: 'IPF.Note' }, '--kinds: must be one of mail, calendar'],
  ])('rejects %o', (flags, message) => {
    expect(problem(flags)).toContain(message);
  });

  it('accepts local credentials and http only when allowed', () => {
    const http = { ...valid, endpoint: 'http://127.0.0.1:1/EWS', credentials: 'local:sim' };
    expect(problem(http)).toContain('--endpoint');
    expect(parseMailboxAdd({ ...http, allowInsecureHttp: true }, defaults, 1).credentialsRef).toBe(
      'local:sim',
    );
  });
});

describe('mailboxDefaults', () => {
  it('reads and checks the documented variables', () => {
    expect(mailboxDefaults({}, names)).toEqual(defaults);
    expect(mailboxDefaults({ DEFAULT_PAGE_SIZE: '100', MAX: '2', SECRET_PREFIX: 'p/' }, names)).toEqual({
      pageSize: 100,
      maxConcurrentSyncs: 2,
      secretPrefix: 'p/',
    });
    expect(() => mailboxDefaults({ MAX: '51' }, names)).toThrow('MAX: must be at most 50, got 51');
    expect(() => mailboxDefaults({ SECRET_PREFIX: '/p' }, names)).toThrow('SECRET_PREFIX: letters, digits');
  });

  it("takes the settings table's defaults and ranges, as the stack does", () => {
    expect(mailboxDefaults({}, names)).toEqual({
      pageSize: SETTINGS.pageSize.default,
      maxConcurrentSyncs: SETTINGS.maxConcurrentSyncsPerMailbox.default,
      secretPrefix: `${SETTINGS.secretPrefix.default}/`,
    });
    // The stack allows up to 50 for on-premises servers: the CLI must accept what it deploys.
    expect(mailboxDefaults({ MAX: '50' }, names).maxConcurrentSyncs).toBe(50);
  });
});

describe('concurrency per source', () => {
  const graph = {
    source: 'graph',
    tenant: 'fabrikam.onmicrosoft.com',
    user: 'carol@fabrikam.com',
    credentials: 'exchange-sync/fabrikam-graph',
  };

  it('lets an on-premises EWS mailbox ask for up to 50', () => {
    expect(parseMailboxAdd({ ...valid, maxConcurrent: '50' }, defaults, 1).maxConcurrentSyncs).toBe(50);
  });

  it('refuses more than 4 for a Graph mailbox', () => {
    expect(parseMailboxAdd({ ...graph, maxConcurrent: '4' }, defaults, 1).maxConcurrentSyncs).toBe(4);
    expect(() => parseMailboxAdd({ ...graph, maxConcurrent: '5' }, defaults, 1)).toThrow(
      '--max-concurrent: must be at most 4 with --source graph (Graph allows 4 concurrent requests per app and mailbox)',
    );
  });

  it("caps the stack's default at 4 for a Graph mailbox only", () => {
    const generous = { ...defaults, maxConcurrentSyncs: 10 };
    expect(parseMailboxAdd(graph, generous, 1).maxConcurrentSyncs).toBe(4);
    expect(parseMailboxAdd(valid, generous, 1).maxConcurrentSyncs).toBe(10);
  });
});
