// The builders against the request fixtures: the same operation element, compared as trees
// (local names, attributes, trimmed text, child order), so prefixes and layout do not matter.
import { describe, expect, it } from 'vitest';
import { fixture } from '../testing/fixtures.js';
import type { XmlElement } from '../xml/element.js';
import { parseXml } from '../xml/parse-xml.js';
import { escapeXml } from './escape.js';
import { buildGetFolderRequest } from './get-folder.js';
import { buildGetItemRequest } from './get-item.js';
import { EwsRequestError } from './request-error.js';
import { buildSyncFolderHierarchyRequest } from './sync-folder-hierarchy.js';
import { buildSyncFolderItemsRequest } from './sync-folder-items.js';

interface Tree {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: Tree[];
}

function tree(element: XmlElement, drop: readonly string[] = []): Tree {
  return {
    name: element.name,
    attrs: { ...(element.attrs ?? {}) },
    text: element.text.trim(),
    children: (element.children ?? []).filter((c) => !drop.includes(c.name)).map((c) => tree(c, drop)),
  };
}

function operation(xml: string, drop: readonly string[] = []): Tree {
  return tree(parseXml(xml).child('Body')!.children![0]!, drop);
}

function header(xml: string, name: string): Tree | undefined {
  const element = parseXml(xml).child('Header')?.child(name);
  return element && tree(element);
}

/** The HTTP request fixture: headers and the SOAP body after the blank line. */
function httpRequest(text: string): { headers: Record<string, string>; body: string } {
  const [head, ...rest] = text.replace(/\r\n/g, '\n').split(/\n(?=<\?xml)/);
  const headers: Record<string, string> = {};
  for (const line of head!.split('\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: rest.join('\n') };
}

describe('request builders match the documented requests', () => {
  it('SyncFolderItems, initial IdOnly', () => {
    const xml = fixture('msdocs-howto-sfi-request-initial-idonly.xml');
    const ours = buildSyncFolderItemsRequest({
      serverVersion: 'Exchange2013',
      folder: { distinguishedId: 'inbox' },
      shape: { baseShape: 'IdOnly' },
      maxChangesReturned: 10,
    });
    expect(operation(ours)).toEqual(operation(xml));
    expect(header(ours, 'RequestServerVersion')).toEqual(header(xml, 'RequestServerVersion'));
  });

  it('SyncFolderItems, incremental AllProperties', () => {
    const ours = buildSyncFolderItemsRequest({
      folder: { distinguishedId: 'inbox' },
      shape: { baseShape: 'AllProperties' },
      syncState: 'H4sIAAA==',
      maxChangesReturned: 10,
      syncScope: 'NormalItems',
    });
    expect(operation(ours)).toEqual(operation(fixture('msdocs-howto-sfi-request-incremental.xml')));
  });

  it('SyncFolderItems with Ignore (the 2007 sample omits the default SyncScope)', () => {
    const ours = buildSyncFolderItemsRequest({
      folder: { distinguishedId: 'sentitems' },
      shape: { baseShape: 'Default' },
      syncState: 'AEbJ94eMOAAA=',
      ignore: [{ id: 'AQApAHRAA==', changeKey: 'CQAAABY' }],
      maxChangesReturned: 100,
    });
    expect(operation(ours, ['SyncScope'])).toEqual(
      operation(fixture('msdocs-sfi-request-sentitems-ignore.xml')),
    );
    expect(parseXml(ours).child('Body')!.children![0]!.childText('SyncScope')).toBe('NormalItems');
  });

  it('SyncFolderItems from a seed sample, with a real folder id and additional properties', () => {
    const ours = buildSyncFolderItemsRequest({
      folder: { id: 'AQMkAD+/=', changeKey: 'AQ<&>' },
      shape: {
        baseShape: 'IdOnly',
        additionalProperties: ['item:ItemClass', 'message:IsRead', 'item:ItemClass'],
      },
      maxChangesReturned: 512,
    });
    const op = operation(ours);
    expect(op.children[0]).toEqual({
      name: 'ItemShape',
      attrs: {},
      text: '',
      children: [
        { name: 'BaseShape', attrs: {}, text: 'IdOnly', children: [] },
        {
          name: 'AdditionalProperties',
          attrs: {},
          text: '',
          children: [
            { name: 'FieldURI', attrs: { FieldURI: 'item:ItemClass' }, text: '', children: [] },
            { name: 'FieldURI', attrs: { FieldURI: 'message:IsRead' }, text: '', children: [] },
          ],
        },
      ],
    });
    expect(op.children[1]!.children[0]).toEqual({
      name: 'FolderId',
      attrs: { Id: 'AQMkAD+/=', ChangeKey: 'AQ<&>' },
      text: '',
      children: [],
    });
  });

  it('SyncFolderHierarchy, initial and incremental', () => {
    const initial = buildSyncFolderHierarchyRequest({
      folder: { distinguishedId: 'root' },
      shape: { baseShape: 'IdOnly' },
    });
    expect(operation(initial)).toEqual(operation(fixture('msdocs-howto-sfh-request-initial.xml')));
    const incremental = buildSyncFolderHierarchyRequest({
      folder: { distinguishedId: 'root' },
      shape: { baseShape: 'AllProperties' },
      syncState: 'H4sIAA==',
    });
    expect(operation(incremental)).toEqual(operation(fixture('msdocs-howto-sfh-request-incremental.xml')));
    const noFolder = buildSyncFolderHierarchyRequest({
      shape: { baseShape: 'AllProperties' },
      syncState: 'H4sIA=',
    });
    expect(operation(noFolder)).toEqual(operation(fixture('msdocs-sfh-request.xml')));
  });

  it('GetItem batches', () => {
    const messages = buildGetItemRequest({
      serverVersion: 'Exchange2007_SP1',
      shape: { baseShape: 'IdOnly', additionalProperties: ['item:Subject', 'message:ToRecipients'] },
      itemIds: [
        { id: 'm4NxAAA=', changeKey: 'CQAAABYAAAApjGm7TnMWQ5TzjbhziLL0AAF/yKB0' },
        { id: 'm4NyAAA=', changeKey: 'CQAAABYAAAApjGm7TnMWQ5TzjbhziLL0AAF/yKB1' },
        { id: 'm4NzAAA=', changeKey: 'CQAAABYAAAApjGm7TnMWQ5TzjbhziLL0AAF/yKB2' },
      ],
    });
    expect(operation(messages)).toEqual(operation(fixture('msdocs-getitem-request-batch-messages.xml')));

    const akonadi = fixture('akonadiews-getitem-request-batch9-idonly.xml');
    const ids = parseXml(akonadi)
      .child('Body')!
      .children![0]!.child('ItemIds')!
      .children!.map((e) => ({ id: e.attr('Id')!, changeKey: e.attr('ChangeKey')! }));
    expect(ids).toHaveLength(9);
    const ours = buildGetItemRequest({
      serverVersion: 'Exchange2007_SP1',
      shape: { baseShape: 'IdOnly' },
      itemIds: ids,
    });
    expect(operation(ours)).toEqual(operation(akonadi));
    expect(header(ours, 'RequestServerVersion')).toEqual(header(akonadi, 'RequestServerVersion'));
  });

  it('ExchangeImpersonation header as in the documented requests', () => {
    const ours = buildSyncFolderItemsRequest({
      serverVersion: 'Exchange2013',
      impersonateSmtpAddress: 'alfred@contoso.com',
      folder: { distinguishedId: 'inbox' },
      shape: { baseShape: 'IdOnly' },
      maxChangesReturned: 1,
    });
    const createItem = fixture('msdocs-createitem-request-exchangeimpersonation.xml');
    expect(header(ours, 'ExchangeImpersonation')).toEqual(header(createItem, 'ExchangeImpersonation'));
    const subscribe = httpRequest(fixture('msdocs-subscribe-request-http-impersonation-anchormailbox.http'));
    expect(subscribe.headers['x-anchormailbox']).toBe('alfred@contoso.com');
    expect(header(ours, 'ExchangeImpersonation')).toEqual(header(subscribe.body, 'ExchangeImpersonation'));
    expect(header(ours, 'RequestServerVersion')).toEqual(header(subscribe.body, 'RequestServerVersion'));
    // Header order: RequestServerVersion before ExchangeImpersonation.
    expect(
      parseXml(ours)
        .child('Header')!
        .children!.map((c) => c.name),
    ).toEqual(['RequestServerVersion', 'ExchangeImpersonation']);
  });

  it('GetFolder with a list of distinguished ids', () => {
    const xml = buildGetFolderRequest({
      shape: { baseShape: 'IdOnly', additionalProperties: ['folder:DisplayName'] },
      folders: [{ distinguishedId: 'inbox' }, { distinguishedId: 'sentitems' }],
      impersonateSmtpAddress: 'a@b.example',
    });
    const op = operation(xml);
    expect(op.name).toBe('GetFolder');
    expect(op.children.map((c) => c.name)).toEqual(['FolderShape', 'FolderIds']);
    expect(op.children[1]!.children.map((c) => c.attrs.Id)).toEqual(['inbox', 'sentitems']);
  });
});

describe('request builders escape and validate', () => {
  it('escapes every value', () => {
    const xml = buildSyncFolderItemsRequest({
      impersonateSmtpAddress: `o'brien&<co>"@example.com`,
      folder: { id: `a"b'c<d>&e` },
      shape: { baseShape: 'IdOnly' },
      syncState: '<SyncState>&amp;',
      ignore: [{ id: '"&"' }],
      maxChangesReturned: 5,
    });
    const root = parseXml(xml);
    expect(
      root.child('Header')!.child('ExchangeImpersonation')!.child('ConnectingSID')!.childText('SmtpAddress'),
    ).toBe(`o'brien&<co>"@example.com`);
    const op = root.child('Body')!.children![0]!;
    expect(op.child('SyncFolderId')!.child('FolderId')!.attr('Id')).toBe(`a"b'c<d>&e`);
    expect(op.childText('SyncState')).toBe('<SyncState>&amp;');
    expect(op.child('Ignore')!.child('ItemId')!.attr('Id')).toBe('"&"');
  });

  it.each([0, 513, 1.5, Number.NaN])('refuses MaxChangesReturned %s', (max) => {
    expect(() =>
      buildSyncFolderItemsRequest({
        folder: { distinguishedId: 'inbox' },
        shape: { baseShape: 'IdOnly' },
        maxChangesReturned: max,
      }),
    ).toThrow(EwsRequestError);
  });

  it.each([
    [{ folder: { distinguishedId: 'Inbox' } }, /distinguished/],
    [{ folder: { id: '' } }, /empty folder id/],
    [{ shape: { baseShape: 'IdOnly', additionalProperties: ['item:Subject"/><x'] } }, /FieldURI/],
    [{ shape: { baseShape: 'Everything' } }, /BaseShape/],
    [{ serverVersion: 'Exchange2013"' }, /server version/],
  ])('refuses %j', (override, message) => {
    const request = {
      folder: { distinguishedId: 'inbox' },
      shape: { baseShape: 'IdOnly' },
      maxChangesReturned: 10,
      ...override,
    } as Parameters<typeof buildSyncFolderItemsRequest>[0];
    expect(() => buildSyncFolderItemsRequest(request)).toThrow(message);
    try {
      buildSyncFolderItemsRequest(request);
    } catch (error) {
      expect(error).toMatchObject({ kind: 'permanent', code: 'InvalidRequest' });
    }
  });

  it('refuses empty id lists', () => {
    expect(() => buildGetItemRequest({ shape: { baseShape: 'IdOnly' }, itemIds: [] })).toThrow(
      EwsRequestError,
    );
    expect(() => buildGetFolderRequest({ shape: { baseShape: 'IdOnly' }, folders: [] })).toThrow(
      EwsRequestError,
    );
  });
});

describe('escapeXml', () => {
  it.each(['a\u0000b', 'x\u001fy', '\uFFFE', 'lone \uD800 surrogate', 'lone \uDC00 low'])(
    'refuses %j',
    (value) => {
      expect(() => escapeXml(value)).toThrow(EwsRequestError);
    },
  );

  it('keeps tabs, line ends, astral characters and escapes markup', () => {
    expect(escapeXml('a\tb\nc\r😀 <&>"\'')).toBe('a\tb\nc\r😀 &lt;&amp;&gt;&quot;&apos;');
  });
});
