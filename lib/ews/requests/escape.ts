import { EwsRequestError } from './request-error.js';

const HAS_SPECIAL = /[&<>"']/;
const SPECIAL = /[&<>"']/g;
const REPLACEMENT: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
/**
 * True when the value holds a character no XML 1.0 document can carry, not even as a reference
 * (C0 controls other than tab/LF/CR, U+FFFE/U+FFFF, unpaired surrogates): the server would reject
 * the whole request.
 */
function hasNonXmlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20) {
      if (c !== 0x9 && c !== 0xa && c !== 0xd) return true;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if ((c >= 0xdc00 && c <= 0xdfff) || c === 0xfffe || c === 0xffff) {
      return true;
    }
  }
  return false;
}

/** Escapes text for element content and (double- or single-quoted) attribute values alike. */
export function escapeXml(value: string): string {
  if (hasNonXmlCharacter(value))
    throw new EwsRequestError('value contains a character XML cannot carry', 'value');
  return HAS_SPECIAL.test(value) ? value.replace(SPECIAL, (c) => REPLACEMENT[c]!) : value;
}
