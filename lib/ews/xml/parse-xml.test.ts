import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { EwsProtocolError, TooManyElementsError } from '../errors.js';
import { fixture, fixtureNames } from '../testing/fixtures.js';
import type { XmlElement } from './element.js';
import { DEFAULT_MAX_ELEMENTS, parseXml } from './parse-xml.js';

function expectMalformed(xml: string, message?: RegExp): EwsProtocolError {
  let caught: unknown;
  try {
    parseXml(xml);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(EwsProtocolError);
  const error = caught as EwsProtocolError;
  expect(error.kind).toBe('protocol');
  if (message) expect(error.message).toMatch(message);
  return error;
}

describe('parseXml', () => {
  it('reads local names, attributes, children in order and text', () => {
    const root = parseXml(
      '<?xml version="1.0"?><s:Envelope xmlns:s="x" xmlns="d"><a:B Id="1" xml:lang=\'en\'>x<C/>y</a:B><D>z</D><B/></s:Envelope>',
    );
    expect(root.name).toBe('Envelope');
    expect(root.attrs).toBeUndefined();
    expect(root.children?.map((c) => c.name)).toEqual(['B', 'D', 'B']);
    const b = root.children![0]!;
    expect(b.attrs).toEqual({ Id: '1', lang: 'en' });
    expect(b.text).toBe('xy');
    expect(root.childText('D')).toBe('z');
    expect(root.childrenNamed('B')).toHaveLength(2);
  });

  it('decodes predefined entities and numeric references exactly once, keeping whitespace', () => {
    const root = parseXml(
      '<a t="&lt;&#65;&#x42;&amp;amp;">  &amp;lt; &#233; &#x1F600; &quot;&apos;&gt;  </a>',
    );
    expect(root.attrs?.t).toBe('<AB&amp;');
    expect(root.text).toBe('  &lt; é 😀 "\'>  ');
  });

  it('drops references to characters XML 1.0 forbids and keeps tab, LF and CR', () => {
    expect(parseXml('<a>x&#x0;&#1;&#x1F;&#xFFFE;&#xD800;&#x110000;y&#9;&#xA;&#xD;z</a>').text).toBe(
      'xy\t\n\rz',
    );
  });

  it('normalises literal line ends in text and whitespace in attribute values', () => {
    const root = parseXml('<a v="1\r\n2\t3\n4&#xA;5">l1\r\nl2\rl3</a>');
    expect(root.text).toBe('l1\nl2\nl3');
    expect(root.attrs?.v).toBe('1 2 3 4\n5');
  });

  it('keeps CDATA verbatim and skips comments and processing instructions', () => {
    const root = parseXml('<!-- c --><a><!-- <b> --><![CDATA[<b>&amp;</b>]]><?pi x?>t</a><!-- end -->');
    expect(root.text).toBe('<b>&amp;</b>t');
    expect(root.children).toBeUndefined();
  });

  it('tolerates a BOM and whitespace before the declaration and whitespace or NULs after the root', () => {
    expect(parseXml('\uFEFF\n   <?xml version="1.0"?><a/>\n\u0000').name).toBe('a');
  });

  it.each([
    ['<a><b></a>', /closes <b>/],
    ['<a></b>', /closes <a>/],
    ['</a>', /without start/],
    ['<a>', /not closed/],
    ['<a><b/>', /truncated/],
    ['<a x="1', /unterminated value/],
    ['<a x="1"', /unterminated start tag/],
    ['<a x=1/>', /unquoted/],
    ['<a x/>', /without a value/],
    ['<a x="1"y="2"/>', /not separated/],
    ['<a x="<"/>', /'<' in attribute/],
    ['<a>&nbsp;</a>', /undefined entity/],
    ['<a>AT&T</a>', /bare '&'/],
    ['<a>&lt</a>', /bare '&'/],
    ['<a/><b/>', /second root/],
    ['<a/>text', /outside the root/],
    ['text<a/>', /outside the root/],
    ['', /no root/],
    ['<?xml version="1.0"?>', /no root/],
    ['<a><!-- open', /unterminated comment/],
    ['<a><![CDATA[x', /unterminated CDATA/],
    ['<a>< b/></a>', /not followed by a name/],
    ['<a><__proto__/></a>', /bad tag name/],
    ['<a __proto__="x"/>', /bad attribute name/],
    ['<a><!ELEMENT x ANY></a>', /unexpected markup/],
  ])('rejects %j', (xml, message) => {
    expectMalformed(xml, message);
  });

  it('rejects any DTD: no entity expansion (billion laughs), no external entity is fetched', () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>';
    expectMalformed(laughs, /document type declaration/);
    // If the reader ever tried to fetch this, the test would hang or fail on the network.
    const external =
      '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:9/secret">]><r>&x;</r>';
    expectMalformed(external, /document type declaration/);
    expectMalformed('<!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>', /document type declaration/);
    // Without a DTD an entity reference is simply undefined.
    expectMalformed('<r>&lol3;</r>', /undefined entity/);
  });

  it('limits nesting depth', () => {
    const deep = `${'<a>'.repeat(200)}${'</a>'.repeat(200)}`;
    expectMalformed(deep, /nesting deeper than 128/);
    expect(parseXml(deep, 256).name).toBe('a');
  });

  it('refuses more elements than maxElements while reading, naming the cap', () => {
    const three = '<a><b/><c/></a>';
    expect(parseXml(three, undefined, 3).children).toHaveLength(2);
    expect(() => parseXml(three, undefined, 2)).toThrow(TooManyElementsError);
    // Refused as soon as the cap is passed: the rest (here never closed) is not read.
    let caught: unknown;
    try {
      parseXml(`<r>${'<x/>'.repeat(1000)}`, undefined, 100);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TooManyElementsError);
    expect(caught).toMatchObject({ kind: 'protocol', code: 'TooManyElements', maxElements: 100 });
    expect((caught as Error).message).toContain('more than 100 XML elements');
    // The default is far above any real page.
    expect(DEFAULT_MAX_ELEMENTS).toBe(500_000);
    expect(parseXml(`<r>${'<x/>'.repeat(10_000)}</r>`).children).toHaveLength(10_000);
  });

  it('rejects every truncation of a real response', () => {
    const xml = fixture('msdocs-howto-sfi-response-incremental-create-update-delete-readflag.xml');
    const lastTagEnd = xml.lastIndexOf('>');
    for (let cut = 0; cut < lastTagEnd; cut += 7) expectMalformed(xml.slice(0, cut));
  });
});

// ---------------------------------------------------------------------------------------------
// Cross-check against fast-xml-parser's order-preserving tree on every well-formed fixture.

type OracleNode = Record<string, unknown>;

interface Shape {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: Shape[];
}

function fromOurs(element: XmlElement): Shape {
  return {
    name: element.name,
    attrs: { ...(element.attrs ?? {}) },
    text: element.text,
    children: (element.children ?? []).map(fromOurs),
  };
}

function fromOracle(name: string, node: OracleNode): Shape {
  const shape: Shape = { name, attrs: {}, text: '', children: [] };
  for (const [key, value] of Object.entries((node[':@'] as Record<string, string>) ?? {}))
    shape.attrs[key] = value;
  for (const child of node[name] as OracleNode[]) {
    const childName = Object.keys(child).find((k) => k !== ':@')!;
    if (childName === '#text') shape.text += String(child['#text']);
    else shape.children.push(fromOracle(childName, child));
  }
  return shape;
}

const oracle = new XMLParser({
  preserveOrder: true,
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  htmlEntities: true,
  ignoreDeclaration: true,
  maxNestedTags: 500,
});

/** Files that are deliberately not well-formed (NOTES quirk 13) or whose documents we do not parse. */
const NOT_COMPARABLE = /^(viewpoint-|msdocs-getitem-response-email-message|.*\.(json|http|html|txt)$)/;

describe('parseXml agrees with fast-xml-parser', () => {
  it.each(fixtureNames().filter((name) => !NOT_COMPARABLE.test(name)))('%s', (name) => {
    const xml = fixture(name)
      .trim()
      .replace(new RegExp(`${String.fromCharCode(0)}+$`), '');
    const theirs = (oracle.parse(xml) as OracleNode[]).filter((n) => !('#text' in n) && !('?xml' in n));
    expect(theirs).toHaveLength(1);
    const rootName = Object.keys(theirs[0]!).find((k) => k !== ':@')!;
    expect(fromOurs(parseXml(xml))).toEqual(fromOracle(rootName, theirs[0]!));
  });
});
