// Every XML sample embedded in ../shared/seeds/*.txt: responses through the parsers, requests
// against our builders (compared as trees of local names, attributes and trimmed text).
import { describe, expect, it } from 'vitest';
import { EwsError } from './errors.js';
import { parseSyncFolderHierarchyResponse } from './parse-sync-folder-hierarchy.js';
import { parseSyncFolderItemsResponse } from './parse-sync-folder-items.js';
import { buildSyncFolderHierarchyRequest } from './requests/sync-folder-hierarchy.js';
import { buildSyncFolderItemsRequest } from './requests/sync-folder-items.js';
import { seedSamples } from './testing/fixtures.js';
import type { XmlElement } from './xml/element.js';
import { parseXml } from './xml/parse-xml.js';

interface Tree {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: Tree[];
}

function tree(element: XmlElement, drop: readonly string[]): Tree {
  return {
    name: element.name,
    attrs: { ...(element.attrs ?? {}) },
    text: element.text.trim(),
    children: (element.children ?? []).filter((c) => !drop.includes(c.name)).map((c) => tree(c, drop)),
  };
}

/** The operation element, whether the sample is a whole envelope or (2007 docs) the bare element. */
function operation(xml: string, drop: readonly string[] = []): Tree {
  const root = parseXml(xml);
  return tree(root.name === 'Envelope' ? root.child('Body')!.children![0]! : root, drop);
}

function sameRequest(ours: string, drop: readonly string[] = []) {
  return (xml: string) => expect(operation(ours, drop)).toEqual(operation(xml));
}

const expectations: Record<string, (xml: string) => void> = {
  '000_7890963ddc27d469.txt#0': sameRequest(
    buildSyncFolderItemsRequest({
      folder: { distinguishedId: 'drafts' },
      shape: { baseShape: 'Default' },
      maxChangesReturned: 20,
    }),
    ['SyncScope'],
  ),
  '000_7890963ddc27d469.txt#1': (xml) => {
    const page = parseSyncFolderItemsResponse(xml);
    expect(page.syncState).toBe('H4sIAAAA=');
    expect(page.includesLastItemInRange).toBe(true);
    expect(page.changes.map((c) => [c.kind, c.itemId, c.changeKey])).toEqual([
      ['create', 'AAAlAFVzA', 'CQAAfYAD'],
      ['create', 'AAAlAFVz', 'CQAY+Z'],
    ]);
    expect(page.changes[1]).toMatchObject({ item: { subject: 'Project Action' } });
    expect(page.changes[0]).toMatchObject({
      kind: 'create',
      itemId: 'AAAlAFVzA',
      changeKey: 'CQAAfYAD',
      itemType: 'Message',
      item: { subject: 'Test', size: '879', hasAttachments: 'false', from: { mailbox: { name: 'User1' } } },
    });
  },
  '001_5d79a1954891c11f.txt#0': sameRequest(
    buildSyncFolderItemsRequest({
      folder: { distinguishedId: 'inbox' },
      shape: { baseShape: 'AllProperties' },
      syncState: 'H4sIAAA==',
      maxChangesReturned: 5,
    }),
  ),
  '001_5d79a1954891c11f.txt#1': (xml) => {
    // Every namespace of this sample uses https://: matching is by local name.
    const page = parseSyncFolderItemsResponse(xml);
    expect(page.changes.map((c) => [c.kind, c.itemId, c.changeKey])).toEqual([
      ['create', 'AQMkAD+', undefined],
      ['delete', 'AQMkADMzAAA==', 'CQAAAA1=='],
      ['delete', 'AQMkADIrEwAAAA==', 'CQAAAA2=='],
      ['readFlagChange', 'AQMkADMzADIAAA==', 'CQAAAA3=='],
    ]);
    const [create, , , readFlag] = page.changes;
    expect(readFlag).toMatchObject({ isRead: true });
    expect(create).toMatchObject({
      itemType: 'Message',
      item: {
        itemClass: 'IPM.Note',
        subject: 'Message #10 Subject',
        displayCc: '',
        isRead: 'true',
        internetMessageId: '<962143BAE7F3@example.com>',
        webClientReadFormQueryString: '?ae=Item&a=Open&t=IPM.Note&id=RgAVAAAJ&exvsurl=1',
        effectiveRights: { delete: 'true' },
      },
    });
  },
  '002_45b595dcc3cd6a3c.txt#0': sameRequest(
    buildSyncFolderItemsRequest({
      folder: { distinguishedId: 'sentitems' },
      shape: { baseShape: 'Default' },
      syncState: 'AEbJ94eMOAAA=',
      ignore: [{ id: 'AQApAHRAA==', changeKey: 'CQAAABY' }],
      maxChangesReturned: 100,
    }),
    ['SyncScope'],
  ),
  '002_45b595dcc3cd6a3c.txt#1': (xml) => {
    const page = parseSyncFolderItemsResponse(xml);
    expect(page.changes).toHaveLength(1);
    expect(page.changes[0]).toMatchObject({
      kind: 'create',
      itemType: 'MeetingRequest',
      itemId: 'AQApAHRwA==',
    });
  },
  '002_45b595dcc3cd6a3c.txt#2': (xml) => {
    expect(() => parseSyncFolderItemsResponse(xml)).toThrow(EwsError);
    expect(() => parseSyncFolderItemsResponse(xml)).toThrow(
      expect.objectContaining({ kind: 'invalidSyncState', code: 'ErrorInvalidSyncStateData' }),
    );
  },
  '003_000de673ea4a1de3.txt#0': sameRequest(
    buildSyncFolderHierarchyRequest({ folder: { distinguishedId: 'root' }, shape: { baseShape: 'IdOnly' } }),
  ),
  '003_000de673ea4a1de3.txt#1': (xml) => {
    const page = parseSyncFolderHierarchyResponse(xml);
    expect(page.changes.map((c) => c.folderId)).toEqual([
      'AAMkADM=',
      'AAMkADMzM=',
      'AAMkAD/AAA=',
      'AAMkADBh=',
    ]);
    expect(page.changes.every((c) => c.kind === 'create' && c.folderType === 'Folder')).toBe(true);
  },
  '003_000de673ea4a1de3.txt#2': sameRequest(
    buildSyncFolderHierarchyRequest({
      folder: { distinguishedId: 'root' },
      shape: { baseShape: 'AllProperties' },
      syncState: 'H4sIAA==',
    }),
  ),
  '003_000de673ea4a1de3.txt#3': (xml) => {
    const page = parseSyncFolderHierarchyResponse(xml);
    expect(page.changes.map((c) => c.kind)).toEqual(['update', 'create', 'delete']);
    expect(page.changes[0]).toMatchObject({
      folder: { displayName: 'Meeting Notes', folderClass: 'IPF.Note' },
    });
  },
  '004_bc0fc4bed8ffdf65.txt#0': sameRequest(
    buildSyncFolderItemsRequest({
      folder: { distinguishedId: 'inbox' },
      shape: { baseShape: 'IdOnly' },
      maxChangesReturned: 10,
    }),
  ),
  '004_bc0fc4bed8ffdf65.txt#1': (xml) => {
    const page = parseSyncFolderItemsResponse(xml);
    expect(page.changes).toHaveLength(5);
    expect(page.changes.map((c) => c.itemId)).toEqual([
      'q04QAAAA==',
      'q07AAAAA==',
      'q1AwAAAA==',
      'AAMkADBh==',
      'AAMkADBh==',
    ]);
  },
  '004_bc0fc4bed8ffdf65.txt#2': sameRequest(
    buildSyncFolderItemsRequest({
      folder: { distinguishedId: 'inbox' },
      shape: { baseShape: 'AllProperties' },
      syncState: 'H4sIAAA==',
      maxChangesReturned: 10,
    }),
  ),
  '004_bc0fc4bed8ffdf65.txt#3': (xml) => {
    const page = parseSyncFolderItemsResponse(xml);
    expect(page.changes.map((c) => c.kind)).toEqual([
      'update',
      'create',
      'create',
      'readFlagChange',
      'delete',
    ]);
  },
};

describe('seed samples', () => {
  const samples = seedSamples();

  it('finds every sample and has an expectation for each', () => {
    expect(samples.map((s) => `${s.seed}#${s.index}`)).toEqual(Object.keys(expectations));
  });

  it.each(samples.map((s) => [`${s.seed}#${s.index}`, s.xml] as const))('%s', (key, xml) => {
    expectations[key]!(xml);
  });
});
