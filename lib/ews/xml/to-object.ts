// Turns an EWS element (an item, a folder) into a plain object keyed by camelCase element names.
// Leaves become their text exactly as sent; attributes become camelCase keys beside the children;
// a leaf with attributes keeps its text under `#text`; repeated children become arrays.
// Runs once per item on pages of up to 512 items, so it allocates nothing per leaf.

import type { XmlElement } from './element.js';

const camelCache = new Map<string, string>();
const CAMEL_CACHE_LIMIT = 4096;

/** `IsRead` -> `isRead`, `UID` -> `uid`, `HTMLBody` -> `htmlBody`, `ICalUid` -> `iCalUid`. */
export function camelCase(name: string): string {
  const cached = camelCache.get(name);
  if (cached !== undefined) return cached;
  let upper = 0;
  while (upper < name.length) {
    const c = name.charCodeAt(upper);
    if (c < 65 || c > 90) break;
    upper++;
  }
  let out: string;
  if (upper === 0) out = name;
  else if (upper === name.length) out = name.toLowerCase();
  else if (upper === 1) out = name.charAt(0).toLowerCase() + name.slice(1);
  else out = name.slice(0, upper - 1).toLowerCase() + name.slice(upper - 1);
  if (camelCache.size < CAMEL_CACHE_LIMIT) camelCache.set(name, out);
  return out;
}

export const TEXT_KEY = '#text';

export function elementValue(element: XmlElement): unknown {
  if (element.children === undefined && element.attrs === undefined) return element.text;
  return elementToObject(element);
}

/** `skip` names one child (by local name) left out, e.g. the ItemId already lifted into the change. */
export function elementToObject(element: XmlElement, skip?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const attrs = element.attrs;
  if (attrs !== undefined) {
    for (const name in attrs) out[camelCase(name)] = attrs[name];
  }
  const children = element.children;
  if (children === undefined) {
    if (element.text !== '') out[TEXT_KEY] = element.text;
    return out;
  }
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!;
    if (child.name === skip) continue;
    const key = camelCase(child.name);
    const value =
      child.children === undefined && child.attrs === undefined ? child.text : elementValue(child);
    const existing = out[key];
    // Values are strings or objects, never arrays or functions, so an array here means "repeated"
    // and a function is an inherited Object.prototype member that we shadow.
    if (existing === undefined || typeof existing === 'function') out[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[key] = [existing, value];
  }
  return out;
}
