// XML escaping for response building. Control characters are written as character references
// (&#x1;), which XML 1.0 forbids but Exchange really emits: clients must cope, so we do the same.

// Built from a string: the control characters in the class are the point, not a mistake.
const CLASS = '[<>&"\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f]';
const NEEDS_ESCAPE = new RegExp(CLASS);
const ESCAPE_ALL = new RegExp(CLASS, 'g');

function replacement(ch: string): string {
  switch (ch) {
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    case '&':
      return '&amp;';
    case '"':
      return '&quot;';
    default:
      return `&#x${ch.charCodeAt(0).toString(16).toUpperCase()};`;
  }
}

/** Escapes text content and attribute values (double-quoted). */
export function esc(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPE_ALL, replacement) : value;
}
