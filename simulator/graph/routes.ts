// The per-user Graph resources: folder and item deltas, folders by well-known name or id, and the
// user itself. `route` only recognises the request (so it can be named in stats and throttled as
// a whole); `run` does the work once faults and throttling have let it through.
import type { SimMailbox } from '../mailbox.js';
import { type DeltaDeps, deltaPage } from './delta.js';
import type { DeltaKind } from './delta-token.js';
import { renderFolder } from './entities.js';
import { type FolderCollection, resolveFolder, rootSerial } from './folders.js';
import { GraphError } from './http.js';
import { graphFolderId, userObjectId } from './ids.js';

export interface RouteInput {
  mailbox: SimMailbox;
  /** The user segment as the client wrote it (links repeat it). */
  userSegment: string;
  /** Segments after /users/{u}/, URL-decoded. */
  segments: string[];
  query: URLSearchParams;
  pageSize: number;
  immutableIds: boolean;
  serviceRoot: string;
}

export interface RouteAnswer {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  operation: string;
  run(deps: DeltaDeps): RouteAnswer;
}

const COLLECTIONS: Record<string, FolderCollection> = {
  mailfolders: 'mailFolders',
  contactfolders: 'contactFolders',
};
const CHILD: Record<FolderCollection, [string, DeltaKind]> = {
  mailFolders: ['messages', 'messages'],
  contactFolders: ['contacts', 'contacts'],
};

function folderOrThrow(mailbox: SimMailbox, collection: FolderCollection, segment: string): number {
  const resolved = resolveFolder(mailbox, collection, segment);
  if (resolved.ok) return resolved.serial;
  if (resolved.code === 'malformed') throw new GraphError(400, 'ErrorInvalidIdMalformed', 'Id is malformed.');
  throw new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
}

/** The route for a request, or undefined when Graph has no such resource. */
export function route(input: RouteInput): Route | undefined {
  const { mailbox, segments } = input;
  const s = segments.map((x) => x.toLowerCase());
  const users = `${input.serviceRoot}/users/${encodeURIComponent(input.userSegment)}`;
  if (s.length === 0) {
    return {
      operation: 'Graph:users.get',
      run: () => ({
        status: 200,
        json: {
          '@odata.context': `${input.serviceRoot}/$metadata#users/$entity`,
          id: userObjectId(mailbox),
          displayName: mailbox.displayName,
          mail: mailbox.smtp,
          userPrincipalName: mailbox.smtp,
        },
      }),
    };
  }
  const collection = COLLECTIONS[s[0]!];
  if (!collection) return undefined;
  const delta = (deps: DeltaDeps, kind: DeltaKind, folderSerial: number, linkBase: string) =>
    deltaPage(
      {
        mailbox,
        kind,
        folderSerial,
        query: input.query,
        pageSize: input.pageSize,
        immutableIds: input.immutableIds,
        linkBase,
        serviceRoot: input.serviceRoot,
      },
      deps,
    );
  if (s.length === 2 && s[1] === 'delta') {
    return {
      operation: `Graph:${collection}.delta`,
      run: (deps) => delta(deps, collection, rootSerial(mailbox), `${users}/${collection}/delta`),
    };
  }
  const [childName, childKind] = CHILD[collection];
  if (s.length === 4 && s[2] === childName && s[3] === 'delta') {
    return {
      operation: `Graph:${childKind}.delta`,
      run: (deps) => {
        const serial = folderOrThrow(mailbox, collection, segments[1]!);
        const folder = encodeURIComponent(graphFolderId(mailbox, serial));
        return delta(deps, childKind, serial, `${users}/${collection}/${folder}/${childName}/delta`);
      },
    };
  }
  if (s.length === 2) {
    return {
      operation: `Graph:${collection}.get`,
      run: () => {
        const serial = folderOrThrow(mailbox, collection, segments[1]!);
        const flavour = collection === 'mailFolders' ? 'mailFolder' : 'contactFolder';
        return {
          status: 200,
          json: {
            '@odata.context': `${input.serviceRoot}/$metadata#users('${mailbox.smtp}')/${collection}/$entity`,
            ...renderFolder(mailbox, mailbox.folder(serial)!, flavour),
          },
        };
      },
    };
  }
  return undefined;
}
