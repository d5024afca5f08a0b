// A small, strict-enough XML reader for SOAP responses, written for speed: one pass with
// indexOf-driven scanning, no per-character string building, no regexes on the hot path.
//
// What it guarantees (anything else throws EwsProtocolError, never a partial tree):
// * well-formed nesting: every end tag must match the open element, and the document must end
//   with the root closed (a truncated page is an error);
// * no DTD at all (SOAP 1.1 forbids it): no entity expansion, nothing external is ever fetched;
// * only the predefined entities and numeric references (see entities.ts for the handling of
//   references to forbidden control characters);
// * literal CR LF / CR normalised to LF and attribute whitespace normalised, as XML requires.
//
// Bounded: nesting depth (`maxDepth`) and the number of elements (`maxElements`, counted as start
// tags are read, so an oversized answer is refused before its tree is built).
//
// Tolerated, because real servers or their recorded copies do it: whitespace (and a BOM) before
// the XML declaration, trailing whitespace and NUL bytes after the root element.
// Not checked: namespace bindings (EWS matching is by local name), name characters beyond the
// obvious, duplicate attributes.

import { EwsProtocolError, TooManyElementsError } from '../errors.js';
import { XmlElement } from './element.js';
import { decodeEntities } from './entities.js';

const LT = 60;
const GT = 62;
const SLASH = 47;
const BANG = 33;
const QUESTION = 63;
const EQUALS = 61;
const DQUOTE = 34;
const SQUOTE = 39;
const AMP = 38;

export const DEFAULT_MAX_DEPTH = 128;
/**
 * A 512-change page with about 30 properties per item (the 1.7 MB page of bench:parse) has about
 * 34,000 elements; 500,000 leaves room for long recipient lists while bounding the tree (each
 * element is an object) well below what a Lambda can hold.
 */
export const DEFAULT_MAX_ELEMENTS = 500_000;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function fail(message: string, offset: number): never {
  throw new EwsProtocolError(`malformed XML: ${message} at offset ${offset}`, { offset });
}

const ATTR_SPECIAL = /[\t\n\r&<]/;

function attributeValue(raw: string, offset: number): string {
  if (!ATTR_SPECIAL.test(raw)) return raw;
  if (raw.indexOf('<') !== -1) fail("'<' in attribute value", offset);
  const normalised = raw.replace(/\r\n?|[\t\n]/g, ' ');
  return normalised.indexOf('&') === -1 ? normalised : decodeEntities(normalised);
}

function textValue(raw: string, hasCr: boolean): string {
  let text = raw;
  if (hasCr && text.indexOf('\r') !== -1) text = text.replace(/\r\n?/g, '\n');
  return text.indexOf('&') === -1 ? text : decodeEntities(text);
}

export function parseXml(
  xml: string,
  maxDepth = DEFAULT_MAX_DEPTH,
  maxElements = DEFAULT_MAX_ELEMENTS,
): XmlElement {
  let pos = 0;
  /** Start tags still allowed: one decrement per element, nothing allocated. */
  let elementsLeft = maxElements;
  let end = xml.length;
  if (xml.charCodeAt(0) === 0xfeff) pos = 1;
  while (pos < end && isSpace(xml.charCodeAt(pos))) pos++;
  while (end > pos) {
    const c = xml.charCodeAt(end - 1);
    if (!isSpace(c) && c !== 0) break;
    end--;
  }
  const hasCr = xml.indexOf('\r') !== -1;

  const stack: XmlElement[] = [];
  const qnames: string[] = [];
  let current: XmlElement | undefined;
  let root: XmlElement | undefined;

  while (pos < end) {
    let lt = xml.indexOf('<', pos);
    if (lt === -1 || lt > end) lt = end;
    if (lt > pos) {
      if (current === undefined) {
        for (let i = pos; i < lt; i++)
          if (!isSpace(xml.charCodeAt(i))) fail('text outside the root element', i);
      } else {
        const text = textValue(xml.slice(pos, lt), hasCr);
        current.text = current.text === '' ? text : current.text + text;
      }
      pos = lt;
      if (pos >= end) break;
    }

    const c1 = xml.charCodeAt(pos + 1);
    if (c1 === SLASH) {
      const gt = xml.indexOf('>', pos + 2);
      if (gt === -1 || gt >= end) fail('unterminated end tag', pos);
      let nameEnd = gt;
      while (nameEnd > pos + 2 && isSpace(xml.charCodeAt(nameEnd - 1))) nameEnd--;
      const qname = xml.slice(pos + 2, nameEnd);
      const open = qnames.pop();
      if (open !== qname) {
        fail(open === undefined ? `end tag </${qname}> without start` : `</${qname}> closes <${open}>`, pos);
      }
      stack.pop();
      current = stack.length === 0 ? undefined : stack[stack.length - 1];
      pos = gt + 1;
      continue;
    }

    if (c1 === BANG) {
      if (xml.startsWith('<!--', pos)) {
        const close = xml.indexOf('-->', pos + 4);
        if (close === -1 || close + 3 > end) fail('unterminated comment', pos);
        pos = close + 3;
      } else if (xml.startsWith('<![CDATA[', pos)) {
        if (current === undefined) fail('CDATA outside the root element', pos);
        const close = xml.indexOf(']]>', pos + 9);
        if (close === -1 || close + 3 > end) fail('unterminated CDATA section', pos);
        let text = xml.slice(pos + 9, close);
        if (hasCr && text.indexOf('\r') !== -1) text = text.replace(/\r\n?/g, '\n');
        current.text += text;
        pos = close + 3;
      } else if (xml.startsWith('<!DOCTYPE', pos) || xml.startsWith('<!doctype', pos)) {
        fail('a document type declaration is not allowed in SOAP messages', pos);
      } else {
        fail('unexpected markup declaration', pos);
      }
      continue;
    }

    if (c1 === QUESTION) {
      const close = xml.indexOf('?>', pos + 2);
      if (close === -1 || close + 2 > end) fail('unterminated processing instruction', pos);
      pos = close + 2;
      continue;
    }

    // Start tag.
    if (root !== undefined && current === undefined) fail('a second root element', pos);
    if (--elementsLeft < 0) throw new TooManyElementsError(maxElements);
    let i = pos + 1;
    while (i < end) {
      const c = xml.charCodeAt(i);
      if (c <= 32 || c === GT || c === SLASH) break;
      if (c === LT || c === AMP || c === DQUOTE || c === SQUOTE || c === EQUALS) fail('bad tag name', i);
      i++;
    }
    if (i === pos + 1) fail("'<' not followed by a name", pos);
    const qname = xml.slice(pos + 1, i);
    const colon = qname.indexOf(':');
    const local = colon === -1 ? qname : qname.slice(colon + 1);
    if (local === '' || local === '__proto__') fail(`bad tag name <${qname}>`, pos);
    const element = new XmlElement(local);

    let selfClosing = false;
    for (;;) {
      const before = i;
      while (i < end && isSpace(xml.charCodeAt(i))) i++;
      if (i >= end) fail(`unterminated start tag <${qname}>`, pos);
      const c = xml.charCodeAt(i);
      if (c === GT) {
        i++;
        break;
      }
      if (c === SLASH) {
        if (xml.charCodeAt(i + 1) !== GT || i + 1 >= end) fail(`bad '/' in <${qname}>`, i);
        selfClosing = true;
        i += 2;
        break;
      }
      if (i === before) fail(`attributes of <${qname}> not separated by whitespace`, i);
      const nameStart = i;
      while (i < end) {
        const d = xml.charCodeAt(i);
        if (d === EQUALS || d <= 32 || d === GT || d === SLASH) break;
        if (d === LT || d === DQUOTE || d === SQUOTE || d === AMP) fail('bad attribute name', i);
        i++;
      }
      const attrName = xml.slice(nameStart, i);
      while (i < end && isSpace(xml.charCodeAt(i))) i++;
      if (xml.charCodeAt(i) !== EQUALS) fail(`attribute ${attrName} without a value`, i);
      i++;
      while (i < end && isSpace(xml.charCodeAt(i))) i++;
      const quote = xml.charCodeAt(i);
      if (quote !== DQUOTE && quote !== SQUOTE) fail(`unquoted value of attribute ${attrName}`, i);
      const close = xml.indexOf(quote === DQUOTE ? '"' : "'", i + 1);
      if (close === -1 || close >= end) fail(`unterminated value of attribute ${attrName}`, i);
      if (attrName !== 'xmlns' && !attrName.startsWith('xmlns:')) {
        const attrColon = attrName.indexOf(':');
        const attrLocal = attrColon === -1 ? attrName : attrName.slice(attrColon + 1);
        if (attrLocal === '' || attrLocal === '__proto__') fail(`bad attribute name ${attrName}`, nameStart);
        if (element.attrs === undefined) element.attrs = {};
        element.attrs[attrLocal] = attributeValue(xml.slice(i + 1, close), i);
      }
      i = close + 1;
    }

    if (current === undefined) {
      root = element;
    } else if (current.children === undefined) {
      current.children = [element];
    } else {
      current.children.push(element);
    }
    if (!selfClosing) {
      if (stack.length >= maxDepth) fail(`nesting deeper than ${maxDepth}`, pos);
      stack.push(element);
      qnames.push(qname);
      current = element;
    }
    pos = i;
  }

  if (root === undefined) fail('no root element', pos);
  if (stack.length > 0) fail(`truncated: <${qnames[qnames.length - 1]}> is not closed`, end);
  return root;
}
