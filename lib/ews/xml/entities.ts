// Entity and character-reference decoding for XML without a DTD: only the five predefined
// entities and numeric references exist. Anything else is an error.
//
// Decision on invalid character references: real Exchange emits references to characters that
// XML 1.0 forbids (`&#x0;`..`&#x1F;` in message bodies, NOTES quirk 12), which makes the document
// not well-formed. Rejecting would make such an item unsyncable forever, and decoding would put
// NULs and other control characters into the mirror. We drop them: the reference decodes to
// nothing. Allowed control characters (tab, LF, CR) decode normally.

import { EwsProtocolError } from '../errors.js';

const ENTITY = /&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos)?;?/g;

function isXmlChar(cp: number): boolean {
  if (cp < 0x20) return cp === 0x9 || cp === 0xa || cp === 0xd;
  if (cp <= 0xd7ff) return true;
  if (cp < 0xe000) return false;
  if (cp <= 0xfffd) return true;
  return cp >= 0x10000 && cp <= 0x10ffff;
}

function replaceEntity(match: string, body: string | undefined, offset: number): string {
  if (body === undefined || match.charCodeAt(match.length - 1) !== 59 /* ; */) {
    throw new EwsProtocolError(`undefined entity or bare '&' in character data at ${offset}`, { offset });
  }
  switch (body) {
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'amp':
      return '&';
    case 'quot':
      return '"';
    case 'apos':
      return "'";
  }
  const cp =
    body.charCodeAt(1) === 120 /* x */
      ? Number.parseInt(body.slice(2), 16)
      : Number.parseInt(body.slice(1), 10);
  return isXmlChar(cp) ? String.fromCodePoint(cp) : '';
}

/** Decodes a run of character data that contains at least one `&`. */
export function decodeEntities(raw: string): string {
  return raw.replace(ENTITY, replaceEntity);
}
