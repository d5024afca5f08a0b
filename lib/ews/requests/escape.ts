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
// Characters no XML 1.0 document can carry, not even as references: the server would reject the
// whole request, so refuse to build it.
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Escapes text for element content and (double- or single-quoted) attribute values alike. */
export function escapeXml(value: string): string {
  if (NOT_XML.test(value)) throw new EwsRequestError('value contains a character XML cannot carry', 'value');
  return HAS_SPECIAL.test(value) ? value.replace(SPECIAL, (c) => REPLACEMENT[c]!) : value;
}
