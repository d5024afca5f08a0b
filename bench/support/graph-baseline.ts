// The Graph baseline: what a careful @microsoft/microsoft-graph-client user writes to delta-sync a
// mailbox. mailFolders/delta and contactFolders/delta for the folder lists, then each folder's
// messages or contacts delta followed from nextLink to deltaLink, as many folders at once as
// Graph allows per mailbox (4), with Prefer odata.maxpagesize on every request (links do not
// carry it, and without it a follow-up falls back to 10 items a page). Each page is written to a
// store (items, then the link) before the folder's next call.
import { Client, HTTPMessageHandler } from '@microsoft/microsoft-graph-client';
import { mapWithConcurrency } from '../../lib/core/map-with-concurrency.js';
import type { BaselineChange, BaselineStore } from './baseline-store.js';

export interface GraphEndpoint {
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

export interface GraphBaselineTarget {
  smtp: string;
  /** The folders the engine synced, so both sync the same ones. */
  folderIds: readonly string[];
}

interface DeltaEntry {
  id: string;
  changeKey?: string;
  '@removed'?: unknown;
}

interface DeltaPage {
  value: DeltaEntry[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

async function accessToken(graph: GraphEndpoint): Promise<string> {
  const response = await fetch(graph.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: graph.clientId,
      client_secret: graph.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  if (!response.ok) throw new Error(`token request: HTTP ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export async function graphClientDeltaLoop(
  graph: GraphEndpoint,
  targets: readonly GraphBaselineTarget[],
  options: { pageSize: number; concurrency: number; store: BaselineStore },
): Promise<void> {
  const token = await accessToken(graph);
  // The SDK adds tokens only for https Graph hosts; against the simulator (http) the header is
  // set per request instead.
  const client = Client.initWithMiddleware({
    middleware: new HTTPMessageHandler(),
    baseUrl: graph.baseUrl.replace(/\/v1\.0$/, ''),
    defaultVersion: 'v1.0',
  });
  const prefer = `odata.maxpagesize=${options.pageSize}, IdType="ImmutableId"`;
  // The SDK parses absolute URLs only for https: links are passed as paths below the version.
  const relative = (link: string) =>
    link.startsWith(graph.baseUrl) ? link.slice(graph.baseUrl.length) : link;

  /** Follows one delta from its start to the deltaLink; each page goes to `onPage`. */
  const follow = async (start: string, onPage: (entries: DeltaEntry[]) => Promise<void>) => {
    let link: string | undefined = start;
    while (link !== undefined) {
      const url = relative(link);
      const page: DeltaPage = await options.store.retrying(() =>
        client.api(url).header('Authorization', `Bearer ${token}`).header('Prefer', prefer).get(),
      );
      await onPage(page.value);
      link = page['@odata.nextLink'];
    }
  };

  await Promise.all(
    targets.map(async (target) => {
      const user = `/users/${encodeURIComponent(target.smtp)}`;
      const collectionOf = new Map<string, 'mailFolders' | 'contactFolders'>();
      await Promise.all(
        (['mailFolders', 'contactFolders'] as const).map((collection) =>
          follow(`${user}/${collection}/delta`, async (entries) => {
            for (const entry of entries) collectionOf.set(entry.id, collection);
          }),
        ),
      );
      await mapWithConcurrency(target.folderIds, options.concurrency, async (folderId) => {
        const collection = collectionOf.get(folderId);
        if (collection === undefined) throw new Error(`Graph does not list folder ${folderId}`);
        const items =
          collection === 'mailFolders'
            ? 'messages?$select=subject,receivedDateTime,isRead,changeKey'
            : 'contacts?$select=displayName,changeKey';
        const [path, query] = items.split('?');
        const key = `${target.smtp.toLowerCase()}|${folderId}`;
        await follow(
          `${user}/${collection}/${encodeURIComponent(folderId)}/${path}/delta?${query}`,
          (entries) =>
            options.store.writePage(
              key,
              entries.map(
                (entry): BaselineChange =>
                  entry['@removed']
                    ? { id: entry.id, deleted: true }
                    : { id: entry.id, changeKey: entry.changeKey },
              ),
            ),
        );
      });
    }),
  );
}
