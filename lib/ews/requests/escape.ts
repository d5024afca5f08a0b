const HAS_SPECIAL = /[&<>"']/;
const SPECIAL = /[&<>"']/g;
const REPLACEMENT: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text for element content and (double- or single-quoted) attribute values alike. */
export function escapeXml(value: string): string {
  return HAS_SPECIAL.test(value) ? value.replace(SPECIAL, (c) => REPLACEMENT[c]!) : value;
}
