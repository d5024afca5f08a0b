// Delta pages and folders from JSON: Microsoft's samples (B4), and everything malformed refused
// as protocol.
import { describe, expect, it } from 'vitest';
import {
  type PageLimits,
  parseErrorBody,
  parseFolder,
  parseFolderPage,
  parseItemPage,
} from './parse-answer.js';
import { RESET_BODY, S1_FIRST_PAGE, S2_NEXT_ROUND, S3_MAILBOX_ITEM_PAGE } from './testing/samples.js';

const limits: PageLimits = { maxEntries: 1000, checkLink: (link) => link };

function protocolError(run: () => unknown): Error & { kind?: string; code?: string } {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('parseItemPage', () => {
  it('reads S1: one message, a nextLink, the changeKey from the etag, the rest as props', () => {
    const page = parseItemPage(S1_FIRST_PAGE, limits);
    expect(page.nextLink).toBe(S1_FIRST_PAGE['@odata.nextLink']);
    expect(page.deltaLink).toBeUndefined();
    expect(page.value).toEqual([
      {
        id: 'AAMkADNkNAAASq35xAAA=',
        changeKey: 'CQAAABYAAAARn2vdzPFjSbaPPxzjlzOTAAASsKZz',
        odataType: '#microsoft.graph.message',
        props: {
          '@odata.etag': 'W/"CQAAABYAAAARn2vdzPFjSbaPPxzjlzOTAAASsKZz"',
          subject: 'Holiday hours update',
          isRead: false,
          sender: { emailAddress: { name: 'Dana Swope', address: 'danas@contoso.com' } },
        },
      },
    ]);
  });

  it('reads S2: a deletion and an update with isRead as the string "true", ending the round', () => {
    const page = parseItemPage(S2_NEXT_ROUND, limits);
    expect(page.deltaLink).toContain('$deltatoken=');
    expect(page.nextLink).toBeUndefined();
    expect(page.value[0]).toEqual({
      id: 'AAMkADk0MGFkODE3LWE4MmYtNDRhOS0Dh_6qB-pB2Sa2pUum19a6YAAKnLuxoAAA=',
      removed: 'deleted',
      odataType: '#microsoft.graph.message',
      props: {},
    });
    expect(page.value[1]!.props.isRead).toBe('true');
  });

  it('reads S3: changeKey as sent, a mailboxItem type', () => {
    const [item] = parseItemPage(S3_MAILBOX_ITEM_PAGE, limits).value;
    expect(item).toMatchObject({
      changeKey: 'CQAAABYAAACQ2fKdhq8oSKEDSVrdi3lRAAFR+6ZT',
      odataType: '#microsoft.graph.mailboxItem',
    });
    expect(item!.props).toMatchObject({ type: 'IPM.Note', size: 75329 });
  });

  it('accepts an empty page that still has a nextLink', () => {
    expect(parseItemPage({ value: [], '@odata.nextLink': 'https://x/v1.0/n' }, limits)).toEqual({
      value: [],
      nextLink: 'https://x/v1.0/n',
    });
  });

  it.each([
    ['no value', { '@odata.deltaLink': 'd' }],
    ['value not an array', { value: {}, '@odata.deltaLink': 'd' }],
    ['neither link', { value: [] }],
    ['both links', { value: [], '@odata.nextLink': 'n', '@odata.deltaLink': 'd' }],
    ['a link not a string', { value: [], '@odata.deltaLink': 42 }],
    ['an entry without id', { value: [{ subject: 'x' }], '@odata.deltaLink': 'd' }],
    ['a numeric id', { value: [{ id: 7 }], '@odata.deltaLink': 'd' }],
    ['an empty id', { value: [{ id: '' }], '@odata.deltaLink': 'd' }],
    ['an entry that is not an object', { value: ['x'], '@odata.deltaLink': 'd' }],
    [
      'an unknown @removed reason',
      { value: [{ id: 'a', '@removed': { reason: 'moved' } }], '@odata.deltaLink': 'd' },
    ],
    ['not an object', ['x']],
    ['null', null],
  ])('refuses %s as protocol', (_name, json) => {
    expect(protocolError(() => parseItemPage(json, limits))).toMatchObject({
      kind: 'protocol',
      code: 'MalformedAnswer',
    });
  });

  it('refuses a page with more entries than maxEntries', () => {
    const json = { value: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], '@odata.deltaLink': 'd' };
    expect(protocolError(() => parseItemPage(json, { ...limits, maxEntries: 2 }))).toMatchObject({
      kind: 'protocol',
      code: 'TooManyEntries',
    });
  });

  it('checks the link the server sent', () => {
    const checkLink = () => {
      throw new Error('foreign');
    };
    expect(protocolError(() => parseItemPage(S1_FIRST_PAGE, { ...limits, checkLink })).message).toBe(
      'foreign',
    );
  });
});

describe('parseFolderPage and parseFolder', () => {
  it('reads folders, removed folders and null properties', () => {
    const page = parseFolderPage(
      {
        value: [
          { id: 'f1', displayName: 'Inbox', parentFolderId: 'root', childFolderCount: 2 },
          { id: 'f2', '@removed': { reason: 'changed' } },
          { id: 'f3', displayName: null, parentFolderId: null },
        ],
        '@odata.deltaLink': 'd',
      },
      limits,
    );
    expect(page.value).toEqual([
      { id: 'f1', displayName: 'Inbox', parentFolderId: 'root' },
      { id: 'f2', removed: 'changed' },
      { id: 'f3' },
    ]);
  });

  it('refuses a folder whose displayName is not a string', () => {
    expect(protocolError(() => parseFolder({ id: 'f', displayName: 3 }))).toMatchObject({ kind: 'protocol' });
    expect(parseFolder({ id: 'f', displayName: 'Inbox', totalItemCount: 3 })).toEqual({
      id: 'f',
      displayName: 'Inbox',
    });
  });
});

describe('parseErrorBody', () => {
  it('reads code, message and inner code; nothing from other bodies', () => {
    expect(parseErrorBody(JSON.stringify(RESET_BODY))).toEqual({
      code: 'SyncStateNotFound',
      message: 'The delta token is no longer valid, and the app must reset the sync state.',
      innerCode: 'SyncStateInvalid',
    });
    expect(parseErrorBody('<html>Service Unavailable</html>')).toEqual({});
    expect(parseErrorBody('{"error":"invalid_grant"}')).toEqual({});
  });
});
