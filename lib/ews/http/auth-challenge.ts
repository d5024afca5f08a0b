/**
 * What a 401 said, short and safe to log: the offered schemes with their `error` parameter
 * (O365: `Bearer ... error="invalid_token"`), and O365's x-ms-diagnostics. NTLM challenges and
 * other parameters are left out.
 */
export function describeAuthChallenge(headers: Headers): string {
  const schemes: string[] = [];
  const values = headers.get('www-authenticate');
  if (values) {
    // Headers joins repeated fields with ", ": split on scheme starts.
    for (const part of values.split(/,\s*(?=[A-Za-z][\w-]*(?:\s|$))/)) {
      const scheme = /^([A-Za-z][\w-]*)/.exec(part.trim())?.[1];
      if (scheme === undefined) continue;
      const error = /error="([^"]*)"/.exec(part)?.[1];
      const entry = error === undefined ? scheme : `${scheme} (error="${error}")`;
      if (!schemes.includes(entry)) schemes.push(entry);
    }
  }
  let out = schemes.length > 0 ? `WWW-Authenticate: ${schemes.join(', ')}` : 'no WWW-Authenticate';
  const diagnostics = headers.get('x-ms-diagnostics');
  if (diagnostics) out += `; x-ms-diagnostics: ${diagnostics.slice(0, 300)}`;
  return out;
}
