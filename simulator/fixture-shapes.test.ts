// The simulator against real Exchange bytes: requests in the fixture set parse, and responses
// declare the same namespaces and prefixes and put elements in the same order as Exchange Online
// (garethp-o365-*, ewsrs-*, exchangelib-* fixtures). Also: the project's own parser reads them.
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { parseGetItemResponse, parseSyncFolderItemsResponse } from '../lib/ews/index.js';
import { fixture } from '../lib/ews/testing/fixtures.js';
import { parseEnvelope, parseGetItem, parseSyncHierarchy, parseSyncItems } from './request.js';
import { Simulator } from './simulator.js';

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };
const ordered = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: true,
});

/** The first element named `qname` (prefix included), depth first. */
function find(nodes: Ordered[], qname: string): Ordered | undefined {
  for (const node of nodes) {
    for (const key of Object.keys(node)) {
      if (key === ':@' || !Array.isArray(node[key])) continue;
      if (key === qname) return node;
      const inner = find(node[key] as Ordered[], qname);
      if (inner) return inner;
    }
  }
  return undefined;
}

function elementName(node: Ordered): string {
  return Object.keys(node).find((k) => k !== ':@')!;
}

function children(doc: string, qname: string): string[] {
  const node = find(ordered.parse(doc.trim()) as Ordered[], qname);
  if (!node) throw new Error(`no <${qname}>`);
  return (node[qname] as Ordered[]).map(elementName).filter((n) => n !== '#text');
}

function attributes(doc: string, qname: string): string[] {
  const node = find(ordered.parse(doc.trim()) as Ordered[], qname);
  if (!node) throw new Error(`no <${qname}>`);
  return Object.keys(node[':@'] ?? {}).sort();
}

/** The elements both lists have must come in the same relative order. */
function commonOrder(ours: string[], theirs: string[]): [string[], string[]] {
  return [ours.filter((n) => theirs.includes(n)), theirs.filter((n) => ours.includes(n))];
}

const ews = (sim: Simulator, xml: string) =>
  sim.handleEws({
    body: xml,
    headers: { authorization: `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}` },
  });

async function body(sim: Simulator, xml: string): Promise<string> {
  const answer = await ews(sim, xml);
  if (answer.kind !== 'response') throw new Error('dropped');
  return answer.body;
}

const request = (operation: string, inner: string, smtp = 'user1@contoso.test') =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Header><t:RequestServerVersion Version="Exchange2013_SP1"/><t:ExchangeImpersonation><t:ConnectingSID><t:SmtpAddress>${smtp}</t:SmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></soap:Header><soap:Body><m:${operation}>${inner}</m:${operation}></soap:Body></soap:Envelope>`;

const sfi = (folder: string, shape: string, extra = '') =>
  request(
    'SyncFolderItems',
    `<m:ItemShape><t:BaseShape>${shape}</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="${folder}"/></m:SyncFolderId>${extra}<m:MaxChangesReturned>512</m:MaxChangesReturned>`,
  );

describe('requests from real clients and the docs', () => {
  it('parses SyncFolderItems with a default namespace, Ignore and no prefix', () => {
    const envelope = parseEnvelope(fixture('msdocs-sfi-request-sentitems-ignore.xml'));
    expect(envelope.operation).toBe('SyncFolderItems');
    const parsed = parseSyncItems(envelope.body);
    expect(parsed).toMatchObject({
      folder: { distinguishedId: 'sentitems' },
      syncState: 'AEbJ94eMOAAA=',
      ignore: ['AQApAHRAA=='],
      maxChanges: 100,
      scope: 'NormalItems',
    });
  });

  it.each(['msdocs-howto-sfi-request-initial-idonly.xml', 'msdocs-howto-sfi-request-incremental.xml'])(
    'parses %s (https namespace typo, CRLF)',
    (name) => {
      const envelope = parseEnvelope(fixture(name));
      expect(parseSyncItems(envelope.body)).toMatchObject({ maxChanges: 10, scope: 'NormalItems' });
    },
  );

  it.each([
    'msdocs-sfh-request.xml',
    'msdocs-howto-sfh-request-initial.xml',
    'msdocs-howto-sfh-request-incremental.xml',
  ])('parses %s', (name) => {
    const envelope = parseEnvelope(fixture(name));
    expect(envelope.operation).toBe('SyncFolderHierarchy');
    expect(() => parseSyncHierarchy(envelope.body)).not.toThrow();
  });

  it('parses GetItem batches and the impersonation header', () => {
    const batch = parseGetItem(parseEnvelope(fixture('akonadiews-getitem-request-batch9-idonly.xml')).body);
    expect(batch.ids).toHaveLength(9);
    expect(
      parseGetItem(parseEnvelope(fixture('msdocs-getitem-request-batch-messages.xml')).body).ids,
    ).toHaveLength(3);
    expect(parseEnvelope(fixture('msdocs-createitem-request-exchangeimpersonation.xml')).impersonate).toBe(
      'alfred@contoso.com',
    );
  });
});

describe('response shapes against Exchange Online fixtures', () => {
  const sim = new Simulator({ seed: 3, mailboxes: 1, itemsPerMailbox: 300 });

  it('SyncFolderItems: envelope, header, namespaces and message element order', async () => {
    const ours = await body(sim, sfi('calendar', 'AllProperties'));
    const real = fixture('garethp-o365-sfi-response-create-calendaritem-allprops.xml');
    expect(ours.slice(0, 120)).toBe(real.slice(0, 120));
    for (const q of ['h:ServerVersionInfo', 'm:SyncFolderItemsResponse'])
      expect(attributes(ours, q)).toEqual(attributes(real, q));
    expect(children(ours, 's:Envelope')).toEqual(['s:Header', 's:Body']);
    expect(children(ours, 'm:SyncFolderItemsResponseMessage')).toEqual(
      children(real, 'm:SyncFolderItemsResponseMessage'),
    );
    const [a, b] = commonOrder(children(ours, 't:CalendarItem'), children(real, 't:CalendarItem'));
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(30);
  });

  it('SyncFolderItems without changes: self-closing <m:Changes/>', async () => {
    const first = parseSyncFolderItemsResponse(await body(sim, sfi('inbox', 'IdOnly')));
    const again = await body(sim, sfi('inbox', 'IdOnly', `<m:SyncState>${first.syncState}</m:SyncState>`));
    expect(again).toContain('<m:Changes/>');
    expect(children(again, 'm:SyncFolderItemsResponseMessage')).toEqual(
      children(
        fixture('garethp-o365-sfi-response-empty-changes-selfclosing.xml'),
        'm:SyncFolderItemsResponseMessage',
      ),
    );
  });

  it('ErrorServerBusy as a response message matches the O365 shape', async () => {
    const busy = new Simulator({
      seed: 3,
      mailboxes: 1,
      itemsPerMailbox: 10,
      config: { concurrentSyncCalls: 1, latency: { fixedMs: 50, jitterMs: 0 } },
    });
    const [x, y] = await Promise.all([
      body(busy, sfi('inbox', 'IdOnly')),
      body(busy, sfi('inbox', 'IdOnly')),
    ]);
    const ours = [x, y].find((b) => b.includes('ErrorServerBusy'))!;
    const real = fixture('ewsrs-sfi-response-error-serverbusy-backoff-messagexml.xml');
    expect(children(ours, 'm:SyncFolderItemsResponseMessage')).toEqual(
      children(real, 'm:SyncFolderItemsResponseMessage'),
    );
    expect(children(ours, 'm:MessageXml')).toEqual(children(real, 'm:MessageXml'));
  });

  it('SOAP faults match the Exchange 2010+/O365 fault shape', async () => {
    const ours = await body(sim, sfi('invalidparentid', 'IdOnly'));
    for (const name of ['evolution-ex2010sp2-http500-soapfault-errorschemavalidation-a-prefix.xml']) {
      const real = fixture(name);
      expect(children(ours, 's:Fault')).toEqual(children(real, 's:Fault'));
      expect(children(ours, 'detail')).toEqual(children(real, 'detail'));
      expect(children(ours, 't:MessageXml')).toEqual(children(real, 't:MessageXml'));
      expect(attributes(ours, 'faultcode')).toEqual(attributes(real, 'faultcode'));
    }
    const busy = new Simulator({
      seed: 3,
      mailboxes: 1,
      itemsPerMailbox: 10,
      config: { concurrentSyncCalls: 1, throttleFaultRatio: 1, latency: { fixedMs: 50, jitterMs: 0 } },
    });
    const answers = await Promise.all([
      body(busy, sfi('inbox', 'IdOnly')),
      body(busy, sfi('inbox', 'IdOnly')),
    ]);
    const fault = answers.find((b) => b.includes('s:Fault'))!;
    const real = fixture('commcentral-mock-soapfault-errorserverbusy-backoff-100.xml');
    expect(children(fault, 'detail')).toEqual(children(real, 'detail'));
    expect(children(fault, 't:MessageXml')).toEqual(children(real, 't:MessageXml'));
  });

  it('GetItem Contact and SyncFolderHierarchy folders keep Exchange element order', async () => {
    const contacts = parseSyncFolderItemsResponse(await body(sim, sfi('contacts', 'IdOnly')));
    const contact = contacts.changes.find((c) => c.kind === 'create' && c.itemType === 'Contact')!;
    const ours = await body(
      sim,
      request(
        'GetItem',
        `<m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="${contact.itemId}"/></m:ItemIds>`,
      ),
    );
    const [a, b] = commonOrder(
      children(ours, 't:Contact'),
      children(fixture('garethp-o365-getitem-response-contact.xml'), 't:Contact'),
    );
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(20);

    const hierarchy = await body(
      sim,
      request(
        'SyncFolderHierarchy',
        '<m:FolderShape><t:BaseShape>AllProperties</t:BaseShape></m:FolderShape><m:SyncFolderId><t:DistinguishedFolderId Id="msgfolderroot"/></m:SyncFolderId>',
      ),
    );
    const real = fixture('msdocs-howto-sfh-response-incremental-create-update-delete.xml');
    expect(children(hierarchy, 't:Folder')).toEqual(children(real, 't:Folder'));
    expect(children(hierarchy, 'm:SyncFolderHierarchyResponseMessage')).toEqual(
      children(real, 'm:SyncFolderHierarchyResponseMessage'),
    );
  });
});

describe("the project's own parser", () => {
  it('reads every item type with its properties, matching the ground truth', async () => {
    const sim = new Simulator({ seed: 5, mailboxes: 1, itemsPerMailbox: 400, foldersPerMailbox: 0 });
    const seen = new Set<string>();
    for (const folder of ['inbox', 'calendar', 'contacts', 'tasks', 'sentitems']) {
      const truth = new Map(sim.items('user1@contoso.test', folder).map((i) => [i.id, i]));
      const page = parseSyncFolderItemsResponse(await body(sim, sfi(folder, 'AllProperties')));
      expect(page.includesLastItemInRange).toBe(true);
      expect(page.changes).toHaveLength(truth.size);
      for (const change of page.changes) {
        if (change.kind !== 'create') throw new Error(`unexpected ${change.kind}`);
        const expected = truth.get(change.itemId)!;
        expect(change).toMatchObject({ itemType: expected.itemType, changeKey: expected.changeKey });
        expect(change.item).toMatchObject({ subject: expected.subject, itemClass: expected.itemClass });
        seen.add(change.itemType);
      }
      const ids = page.changes
        .slice(0, 3)
        .map((c) => `<t:ItemId Id="${c.itemId}"/>`)
        .join('');
      const got = parseGetItemResponse(
        await body(
          sim,
          request(
            'GetItem',
            `<m:ItemShape><t:BaseShape>Default</t:BaseShape></m:ItemShape><m:ItemIds>${ids}</m:ItemIds>`,
          ),
        ),
      );
      expect(got.every((r) => r.ok)).toBe(true);
    }
    expect([...seen].sort()).toEqual([
      'CalendarItem',
      'Contact',
      'DistributionList',
      'MeetingRequest',
      'Message',
      'PostItem',
      'Task',
    ]);
  });
});
