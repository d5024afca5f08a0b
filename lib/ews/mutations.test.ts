// Damaged answers: whatever a server, proxy or truncation does to a response, the parsers either
// return a complete result or throw an EwsError. Never another exception, never a partial page.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EwsError } from './errors.js';
import { parseGetItemResponse } from './parse-get-item.js';
import { parseSyncFolderHierarchyResponse } from './parse-sync-folder-hierarchy.js';
import { parseSyncFolderItemsResponse } from './parse-sync-folder-items.js';
import { fixture } from './testing/fixtures.js';

const CASES = [
  ['msdocs-howto-sfi-response-incremental-create-update-delete-readflag.xml', parseSyncFolderItemsResponse],
  ['garethp-o365-sfi-response-create-calendaritem-allprops.xml', parseSyncFolderItemsResponse],
  ['msdocs-howto-sfh-response-incremental-create-update-delete.xml', parseSyncFolderHierarchyResponse],
  ['akonadiews-getitem-response-batch9-two-erroritemnotfound.xml', parseGetItemResponse],
] as const;

const SNIPPETS = [
  '<',
  '>',
  '&',
  '"',
  "'",
  '</',
  '/>',
  '<!DOCTYPE x>',
  '&#0;',
  '&bogus;',
  ']]>',
  '<![CDATA[',
  '\u0000',
  ' ',
];

const mutation = (length: number) =>
  fc.oneof(
    fc.record({
      kind: fc.constant('delete' as const),
      at: fc.nat(length - 1),
      count: fc.integer({ min: 1, max: 40 }),
    }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(length),
      text: fc.constantFrom(...SNIPPETS),
    }),
    fc.record({
      kind: fc.constant('duplicate' as const),
      at: fc.nat(length - 1),
      count: fc.integer({ min: 1, max: 80 }),
    }),
  );

type Mutation =
  | { kind: 'delete' | 'duplicate'; at: number; count: number }
  | { kind: 'insert'; at: number; text: string };

function apply(xml: string, m: Mutation): string {
  if (m.kind === 'delete') return xml.slice(0, m.at) + xml.slice(m.at + m.count);
  if (m.kind === 'insert') return xml.slice(0, m.at) + m.text + xml.slice(m.at);
  return xml.slice(0, m.at + m.count) + xml.slice(m.at, m.at + m.count) + xml.slice(m.at + m.count);
}

describe('damaged responses', () => {
  it.each(CASES)('%s: a result or an EwsError, nothing else', (name, parse) => {
    const xml = fixture(name);
    fc.assert(
      fc.property(fc.array(mutation(xml.length), { minLength: 1, maxLength: 3 }), (mutations) => {
        const damaged = mutations.reduce(apply, xml);
        try {
          parse(damaged);
        } catch (error) {
          expect(error).toBeInstanceOf(EwsError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it.each(CASES)('%s: every cut inside the document is an error', (name, parse) => {
    const xml = fixture(name);
    const end = xml.lastIndexOf('>');
    for (let cut = 0; cut < end; cut += 13) expect(() => parse(xml.slice(0, cut))).toThrow(EwsError);
  });
});
