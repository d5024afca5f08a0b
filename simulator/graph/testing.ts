// Test helpers for the Graph side over real HTTP (plain fetch, no SDK): fetch a token, GET a
// path or link, and follow a delta round to its deltaLink the way a careful client does.
import type { RunningSimulator } from '../server.js';

export async function fetchGraphToken(run: RunningSimulator): Promise<string> {
  const response = await fetch(run.graph.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: run.graph.clientId,
      client_secret: run.graph.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  if (response.status !== 200) throw new Error(`token endpoint answered ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export interface GraphAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test helper, JSON of many shapes
  json: any;
}

/** GET `pathOrUrl` (relative to the Graph base URL, or an absolute link). */
export async function graphGet(
  run: RunningSimulator,
  token: string,
  pathOrUrl: string,
  headers: Record<string, string> = {},
): Promise<GraphAnswer> {
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${run.graph.baseUrl}${pathOrUrl}`;
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}`, ...headers } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

export interface DeltaRound {
  deltaLink: string;
  pages: number;
  /** Entries as received, in order, across the round's pages. */
  entries: Record<string, unknown>[];
}

/** Follows nextLinks from `start` to the deltaLink; throws on any non-200. */
export async function deltaRound(
  run: RunningSimulator,
  token: string,
  start: string,
  headers: Record<string, string> = {},
): Promise<DeltaRound> {
  let link = start;
  const entries: Record<string, unknown>[] = [];
  for (let pages = 1; pages < 10_000; pages++) {
    const answer = await graphGet(run, token, link, headers);
    if (answer.status !== 200)
      throw new Error(`${link} answered ${answer.status} ${JSON.stringify(answer.json)}`);
    entries.push(...answer.json.value);
    if (answer.json['@odata.deltaLink'])
      return { deltaLink: answer.json['@odata.deltaLink'], pages, entries };
    link = answer.json['@odata.nextLink'];
  }
  throw new Error('delta round did not end');
}

/** Applies a round's entries to a folder's state (id -> changeKey): @removed deletes, the rest upsert. */
export function applyEntries(state: Map<string, string>, entries: Record<string, unknown>[]): void {
  for (const entry of entries) {
    const id = entry.id as string;
    if (entry['@removed']) state.delete(id);
    else state.set(id, (entry.changeKey as string | undefined) ?? (entry.displayName as string));
  }
}
