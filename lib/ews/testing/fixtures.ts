// Test support: the shared real-server fixtures and the seed documents, read in place (never copied
// into the project). Paths are computed from this file: <repo>/../shared/...
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = fileURLToPath(new URL('../../../../shared/fixtures/ews-real/', import.meta.url));
export const TRACE_DIR = `${FIXTURE_DIR}evolution-ews-traces/`;
export const SEED_DIR = fileURLToPath(new URL('../../../../shared/seeds/', import.meta.url));

export function fixture(name: string): string {
  return readFileSync(FIXTURE_DIR + name, 'utf8');
}

/** Top-level fixture files, NOTES.md and SOURCES.md excluded. */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR, { withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.md'))
    .map((entry) => entry.name)
    .sort();
}

export function traceNames(): string[] {
  return readdirSync(TRACE_DIR)
    .filter((name) => name.endsWith('.trace'))
    .sort();
}

export interface TracedResponse {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

/** The responses of an evolution-ews trace (`< `-prefixed lines), in order. */
export function tracedResponses(name: string): TracedResponse[] {
  const lines = readFileSync(TRACE_DIR + name, 'utf8').split('\n');
  const responses: TracedResponse[] = [];
  let current: TracedResponse | undefined;
  let inBody = false;
  for (const line of lines) {
    if (!line.startsWith('< ') && line !== '<') {
      if (line.startsWith('> ')) current = undefined;
      continue;
    }
    const content = line.slice(2);
    const status = /^HTTP\/1\.1 (\d{3})/.exec(content);
    if (status) {
      current = { status: Number(status[1]), headers: [], body: '' };
      responses.push(current);
      inBody = false;
    } else if (current === undefined) {
      // Lines before the first response status line.
    } else if (!inBody && content.trim() === '') {
      inBody = true;
    } else if (!inBody) {
      const colon = content.indexOf(':');
      current.headers.push([content.slice(0, colon).trim(), content.slice(colon + 1).trim()]);
    } else {
      current.body += current.body === '' ? content : `\n${content}`;
    }
  }
  return responses;
}

export interface SeedSample {
  seed: string;
  index: number;
  xml: string;
}

const SAMPLE =
  /(?:<\?xml[^>]*\?>\s*)?<((?:[\w-]+:)?(?:Envelope|SyncFolderItems|SyncFolderItemsResponse))[\s>][\s\S]*?<\/\1>/g;

/** Every XML sample embedded in the seed documents, in order. */
export function seedSamples(): SeedSample[] {
  const samples: SeedSample[] = [];
  for (const seed of readdirSync(SEED_DIR)
    .filter((name) => name.endsWith('.txt'))
    .sort()) {
    const text = readFileSync(SEED_DIR + seed, 'utf8');
    let index = 0;
    for (const match of text.matchAll(SAMPLE)) samples.push({ seed, index: index++, xml: match[0] });
  }
  return samples;
}
