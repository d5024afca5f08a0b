// Shapes real fixtures do not cover: unknown elements, error-shaped successes, wrong documents.
import { describe, expect, it } from 'vitest';
import { EwsError, TooManyChangesError } from './errors.js';
import { parseGetFolderResponse } from './parse-get-folder.js';
import { parseGetItemResponse } from './parse-get-item.js';
import { parseSyncFolderHierarchyResponse } from './parse-sync-folder-hierarchy.js';
import { parseSyncFolderItemsResponse } from './parse-sync-folder-items.js';

const envelope = (body: string) =>
  `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${body}</s:Body></s:Envelope>`;

const sfi = (inner: string, extra = '') =>
  envelope(
    `<m:SyncFolderItemsResponse xmlns:m="m" xmlns:t="t"><m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>${extra}${inner}</m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse>`,
  );

const page = (changes: string) =>
  sfi(
    `<m:SyncState>S1</m:SyncState><m:IncludesLastItemInRange>false</m:IncludesLastItemInRange><m:Changes>${changes}</m:Changes>`,
  );

function caught(fn: () => unknown): EwsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EwsError) return error;
    throw error;
  }
  throw new Error('nothing thrown');
}

describe('parseSyncFolderItemsResponse', () => {
  it('keeps an unknown item element as a change with its own itemType, in order', () => {
    const result = parseSyncFolderItemsResponse(
      page(
        '<t:Create><t:Hologram><t:ItemId Id="h1"/><t:Depth>3</t:Depth></t:Hologram></t:Create>' +
          '<t:ReadFlagChange><t:ItemId Id="m1" ChangeKey="k"/><t:IsRead>false</t:IsRead></t:ReadFlagChange>' +
          '<t:Update><t:PostItem><t:ItemId Id="p1" ChangeKey="k2"/></t:PostItem></t:Update>' +
          '<t:Delete><t:ItemId Id="h1"/></t:Delete>',
      ),
    );
    expect(result).toEqual({
      syncState: 'S1',
      includesLastItemInRange: false,
      changes: [
        { kind: 'create', itemId: 'h1', itemType: 'Hologram', item: { depth: '3' } },
        { kind: 'readFlagChange', itemId: 'm1', changeKey: 'k', isRead: false },
        { kind: 'update', itemId: 'p1', changeKey: 'k2', itemType: 'PostItem', item: {} },
        { kind: 'delete', itemId: 'h1' },
      ],
    });
  });

  it.each([
    [
      'an unknown change element',
      page('<t:Teleport><t:ItemId Id="x"/></t:Teleport>'),
      /unknown change <Teleport>/,
    ],
    ['a create without an item', page('<t:Create/>'), /without an item/],
    ['an item without an ItemId', page('<t:Create><t:Message/></t:Create>'), /without an Id/],
    ['an empty item id', page('<t:Delete><t:ItemId Id=""/></t:Delete>'), /without an Id/],
    [
      'a non-boolean IsRead',
      page('<t:ReadFlagChange><t:ItemId Id="x"/><t:IsRead>yes</t:IsRead></t:ReadFlagChange>'),
      /not a boolean/,
    ],
    [
      'a success with an empty SyncState',
      sfi('<m:SyncState/><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange><m:Changes/>'),
      /without a SyncState/,
    ],
    ['a missing IncludesLastItemInRange', sfi('<m:SyncState>S</m:SyncState><m:Changes/>'), /missing/],
    [
      'missing Changes',
      sfi('<m:SyncState>S</m:SyncState><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>'),
      /without Changes/,
    ],
    [
      'another operation',
      envelope('<m:GetItemResponse xmlns:m="m"><m:ResponseMessages/></m:GetItemResponse>'),
      /expected SyncFolderItemsResponse/,
    ],
    ['an HTML page', '<html><body>Service unavailable</body></html>', /not a SOAP envelope/],
    ['an empty Body', envelope(''), /empty SOAP Body/],
    ['an envelope without Body', '<s:Envelope xmlns:s="x"/>', /without a Body/],
    [
      'two response messages',
      envelope(
        '<m:SyncFolderItemsResponse xmlns:m="m"><m:ResponseMessages><m:A ResponseClass="Success"/><m:B ResponseClass="Success"/></m:ResponseMessages></m:SyncFolderItemsResponse>',
      ),
      /2 response messages/,
    ],
    [
      'a truncated page',
      page('<t:Create><t:Message><t:ItemId Id="a"/></t:Message></t:Create>').slice(0, -40),
      /malformed XML/,
    ],
  ])('throws a protocol error for %s', (_what, xml, message) => {
    const error = caught(() => parseSyncFolderItemsResponse(xml));
    expect(error.kind).toBe('protocol');
    expect(error.message).toMatch(message);
  });

  it('refuses a page with more changes than the MaxChangesReturned asked for', () => {
    const twoChanges = page('<t:Delete><t:ItemId Id="a"/></t:Delete><t:Delete><t:ItemId Id="b"/></t:Delete>');
    expect(parseSyncFolderItemsResponse(twoChanges, { maxChanges: 2 }).changes).toHaveLength(2);
    const error = caught(() => parseSyncFolderItemsResponse(twoChanges, { maxChanges: 1, httpStatus: 200 }));
    expect(error).toBeInstanceOf(TooManyChangesError);
    expect(error).toMatchObject({
      kind: 'protocol',
      code: 'TooManyChanges',
      changes: 2,
      maxChanges: 1,
      httpStatus: 200,
    });
    expect(error.message).toContain('more than the MaxChangesReturned of 1');
    // Without a bound (a caller that does not say what it asked for) the page is read.
    expect(parseSyncFolderItemsResponse(twoChanges).changes).toHaveLength(2);
  });

  it('never returns a page from an error response, whatever else it carries', () => {
    const xml = envelope(
      '<m:SyncFolderItemsResponse xmlns:m="m"><m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass="Error"><m:MessageText>gone</m:MessageText><m:ResponseCode>ErrorSyncFolderNotFound</m:ResponseCode><m:SyncState/><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse>',
    );
    expect(caught(() => parseSyncFolderItemsResponse(xml, { httpStatus: 200 }))).toMatchObject({
      kind: 'folderNotFound',
      code: 'ErrorSyncFolderNotFound',
      message: 'gone',
      httpStatus: 200,
    });
  });
});

describe('parseSyncFolderHierarchyResponse', () => {
  it('reads every folder type with displayName, folderClass and parentFolderId', () => {
    const types = ['Folder', 'CalendarFolder', 'ContactsFolder', 'TasksFolder', 'SearchFolder'];
    const changes = types
      .map(
        (type, i) =>
          `<t:Create><t:${type}><t:FolderId Id="f${i}" ChangeKey="c${i}"/><t:ParentFolderId Id="root" ChangeKey="r"/><t:FolderClass>IPF.${i}</t:FolderClass><t:DisplayName>D &amp; ${i}</t:DisplayName></t:${type}></t:Create>`,
      )
      .join('');
    const xml = envelope(
      `<m:SyncFolderHierarchyResponse xmlns:m="m" xmlns:t="t"><m:ResponseMessages><m:SyncFolderHierarchyResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SyncState>H</m:SyncState><m:IncludesLastFolderInRange>true</m:IncludesLastFolderInRange><m:Changes>${changes}</m:Changes></m:SyncFolderHierarchyResponseMessage></m:ResponseMessages></m:SyncFolderHierarchyResponse>`,
    );
    const result = parseSyncFolderHierarchyResponse(xml);
    expect(result.changes).toEqual(
      types.map((type, i) => ({
        kind: 'create',
        folderId: `f${i}`,
        changeKey: `c${i}`,
        folderType: type,
        folder: { parentFolderId: 'root', folderClass: `IPF.${i}`, displayName: `D & ${i}` },
      })),
    );
  });

  it('reads a missing IncludesLastFolderInRange as true (optional, never false, per MS-OXWSSYNC)', () => {
    const xml = envelope(
      '<m:SyncFolderHierarchyResponse xmlns:m="m"><m:ResponseMessages><m:SyncFolderHierarchyResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SyncState>H</m:SyncState><m:Changes/></m:SyncFolderHierarchyResponseMessage></m:ResponseMessages></m:SyncFolderHierarchyResponse>',
    );
    expect(parseSyncFolderHierarchyResponse(xml)).toEqual({
      syncState: 'H',
      includesLastFolderInRange: true,
      changes: [],
    });
  });
});

describe('parseGetFolderResponse', () => {
  it('returns one entry per message, errors included, in order', () => {
    const xml = envelope(
      '<m:GetFolderResponse xmlns:m="m" xmlns:t="t"><m:ResponseMessages>' +
        '<m:GetFolderResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Folders><t:Folder><t:FolderId Id="INBOX-ID" ChangeKey="k"/><t:DisplayName>Inbox</t:DisplayName></t:Folder></m:Folders></m:GetFolderResponseMessage>' +
        '<m:GetFolderResponseMessage ResponseClass="Error"><m:MessageText>nope</m:MessageText><m:ResponseCode>ErrorFolderNotFound</m:ResponseCode><m:Folders/></m:GetFolderResponseMessage>' +
        '</m:ResponseMessages></m:GetFolderResponse>',
    );
    expect(parseGetFolderResponse(xml)).toEqual([
      {
        ok: true,
        folderId: 'INBOX-ID',
        changeKey: 'k',
        folderType: 'Folder',
        folder: { displayName: 'Inbox' },
      },
      { ok: false, code: 'ErrorFolderNotFound', message: 'nope', kind: 'folderNotFound' },
    ]);
  });
});

describe('parseGetItemResponse', () => {
  it('reports a throttled message with its back-off', () => {
    const xml = envelope(
      '<m:GetItemResponse xmlns:m="m" xmlns:t="t"><m:ResponseMessages><m:GetItemResponseMessage ResponseClass="Error"><m:MessageText>busy</m:MessageText><m:ResponseCode>ErrorServerBusy</m:ResponseCode><m:MessageXml><t:Value Name="BackOffMilliseconds">250</t:Value></m:MessageXml><m:Items/></m:GetItemResponseMessage></m:ResponseMessages></m:GetItemResponse>',
    );
    expect(parseGetItemResponse(xml)).toEqual([
      { ok: false, code: 'ErrorServerBusy', message: 'busy', kind: 'throttled', backOffMs: 250 },
    ]);
  });
});
