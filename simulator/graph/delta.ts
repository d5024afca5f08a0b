// One delta page: decode the link's token, walk the folder's (or the hierarchy's) journal with the
// same engine as SyncFolderItems, render the changes as Graph entries and hand out the next
// link. The knowledge after the page goes into the link, so the server keeps nothing per client.
// Realism from config.graph is layered on top without touching correctness: empty pages that
// still carry a nextLink, replays of entries the client already holds (current state, so an
// idempotent client is unharmed), shuffled pages and tokens that expire (410).
import type { SimulatorConfig } from '../config.js';
import type { Journal, JournalRecord } from '../journal.js';
import type { SimMailbox } from '../mailbox.js';
import type { SimFolder, SimItem } from '../model.js';
import type { Random } from '../random.js';
import { computePage, emptyKnowledge, type SyncKnowledge } from '../sync-engine.js';
import type { DeltaBinding, DeltaKind, DeltaTokenCodec } from './delta-token.js';
import {
  type EntityKind,
  renderFolder,
  renderItem,
  renderRemoved,
  selectMask,
  selectText,
} from './entities.js';
import { type FolderCollection, inCollection, isContact, isMessage } from './folders.js';
import { graphFolderId, originKey } from './ids.js';

export interface DeltaRequest {
  mailbox: SimMailbox;
  kind: DeltaKind;
  /** The synced folder (items) or msgfolderroot (folder deltas). */
  folderSerial: number;
  query: URLSearchParams;
  pageSize: number;
  immutableIds: boolean;
  /** Absolute URL of this delta without query, e.g. http://host:port/v1.0/users/u/mailFolders/X/messages/delta */
  linkBase: string;
  /** http://host:port/v1.0 */
  serviceRoot: string;
}

export interface DeltaDeps {
  codec: DeltaTokenCodec;
  rng: Random;
  config: SimulatorConfig;
}

export interface DeltaAnswer {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

const ENTITY: Record<DeltaKind, EntityKind | FolderCollection> = {
  messages: 'message',
  contacts: 'contact',
  mailFolders: 'mailFolders',
  contactFolders: 'contactFolders',
};
const CONTEXT: Record<DeltaKind, string> = {
  messages: 'Collection(message)',
  contacts: 'Collection(contact)',
  mailFolders: 'Collection(mailFolder)',
  contactFolders: 'Collection(contactFolder)',
};

export function deltaPage(req: DeltaRequest, deps: DeltaDeps): DeltaAnswer {
  const { mailbox, kind, folderSerial } = req;
  const graph = deps.config.graph;
  const entity = ENTITY[kind];
  const itemKind = entity === 'message' || entity === 'contact' ? entity : undefined;
  // Folder deltas send every property; $select is bound only for item deltas.
  const requestedMask = itemKind ? selectMaskOrUndefined(itemKind, req.query.get('$select')) : 0;
  const skip = req.query.get('$skiptoken');
  const delta = req.query.get('$deltatoken');
  const token = skip ?? (delta || undefined);
  const binding = { kind, mailboxIndex: mailbox.index, folderSerial, epoch: mailbox.stateEpoch };
  let knowledge: SyncKnowledge = emptyKnowledge();
  let mask = requestedMask ?? 0;
  if (token !== undefined) {
    const decoded = deps.codec.decode(token, skip !== null ? 'skip' : 'delta', {
      ...binding,
      ...(requestedMask !== undefined ? { selectMask: requestedMask } : {}),
    });
    knowledge = decoded.knowledge;
    mask = decoded.selectMask;
    if (deps.rng.chance(graph.tokenExpiryRate)) return expired(req, itemKind, mask);
  }
  const full: DeltaBinding = { ...binding, selectMask: mask };
  const link = (phase: 'skip' | 'delta', k: SyncKnowledge) =>
    `${req.linkBase}?$${phase}token=${deps.codec.encode(full, phase, k)}`;
  const context = `${req.serviceRoot}/$metadata#${CONTEXT[kind]}`;

  if (deps.rng.chance(graph.emptyPageRate)) {
    // "nextLink ... This is true even if the current response may contain an empty result."
    return {
      status: 200,
      json: { '@odata.context': context, '@odata.nextLink': link('skip', knowledge), value: [] },
    };
  }

  const replays = deps.rng.chance(graph.replayRate) ? 1 + deps.rng.int(2) : 0;
  const maxChanges = Math.max(1, req.pageSize - replays);
  const page = itemKind
    ? walk(itemSource(req, itemKind, mask, deps.config.newestFirst), knowledge, maxChanges, replays, deps.rng)
    : walk(folderSource(mailbox, entity as FolderCollection), knowledge, maxChanges, replays, deps.rng);
  const value = page.value;
  if (graph.shuffle) {
    for (let i = value.length - 1; i > 0; i--) {
      const j = deps.rng.int(i + 1);
      [value[i], value[j]] = [value[j]!, value[i]!];
    }
  }
  const linkKey = page.includesLast ? '@odata.deltaLink' : '@odata.nextLink';
  return {
    status: 200,
    json: {
      '@odata.context': context,
      [linkKey]: link(page.includesLast ? 'delta' : 'skip', page.knowledge),
      value,
    },
  };
}

/** One journal as a delta shows it. */
interface PageSource<T> {
  journal: Journal<T>;
  newestFirst: boolean;
  inScope(rec: JournalRecord<T>): boolean;
  render(rec: JournalRecord<T>): Record<string, unknown>;
  /** The entry for a record the client must drop; undefined to send nothing. */
  removed(rec: JournalRecord<T>): Record<string, unknown> | undefined;
}

/** A page of changes from `source`, then `replays` entries the client already holds. */
function walk<T>(
  source: PageSource<T>,
  knowledge: SyncKnowledge,
  maxChanges: number,
  replays: number,
  rng: Random,
) {
  const page = computePage(source.journal, knowledge, {
    maxChanges,
    newestFirst: source.newestFirst,
    inScope: (r) => source.inScope(r),
  });
  const value: Record<string, unknown>[] = [];
  const live: Record<string, unknown>[] = [];
  for (const { kind, record } of page.changes) {
    const entry = kind === 'delete' ? source.removed(record) : source.render(record);
    if (entry) value.push(entry);
    if (entry && kind !== 'delete') live.push(entry);
  }
  for (let i = 0; i < replays; i++) {
    if (live.length > 0 && rng.chance(0.5)) {
      value.push(live[rng.int(live.length)]!);
      continue;
    }
    // An entry of an earlier page or round, in its current state.
    const count = source.journal.liveCount();
    const rec = count > 0 ? source.journal.liveAt(rng.int(count)) : undefined;
    if (rec && page.knowledge.given.has(rec.serial) && source.inScope(rec)) value.push(source.render(rec));
  }
  return { value, knowledge: page.knowledge, includesLast: page.includesLast };
}

function folderSource(mailbox: SimMailbox, collection: FolderCollection): PageSource<SimFolder> {
  const flavour = collection === 'mailFolders' ? 'mailFolder' : 'contactFolder';
  return {
    journal: mailbox.folders,
    // Parents before children, as the hierarchy was built.
    newestFirst: false,
    inScope: (r) => inCollection(mailbox, collection, r),
    render: (r) => renderFolder(mailbox, r, flavour),
    removed: (r) => ({ id: graphFolderId(mailbox, r.serial), '@removed': { reason: 'deleted' } }),
  };
}

function itemSource(
  req: DeltaRequest,
  kind: EntityKind,
  mask: number,
  newestFirst: boolean,
): PageSource<SimItem> {
  const { mailbox, folderSerial } = req;
  const journal = mailbox.itemJournal(folderSerial)!;
  const inScope = kind === 'contact' ? isContact : isMessage;
  const ctx = { mailbox, folderSerial, immutableIds: req.immutableIds };
  let present: Set<string> | undefined;
  return {
    journal,
    newestFirst,
    inScope,
    render: (r) => renderItem(kind, r, ctx, mask),
    removed: (r) => {
      // With immutable ids an item that left and came back (A -> B -> A) has one id: while a
      // live copy is in this folder, the old copy's removal would delete it on the client, so it
      // is not sent (the known Graph bug, GDC #72, is deliberately not reproduced).
      if (req.immutableIds) {
        present ??= new Set([...journal.live()].filter(inScope).map((x) => originKey(folderSerial, x)));
        if (present.has(originKey(folderSerial, r))) return undefined;
      }
      return renderRemoved(kind, r, ctx);
    },
  };
}

function selectMaskOrUndefined(kind: EntityKind, select: string | null): number | undefined {
  return select === null ? undefined : selectMask(kind, select);
}

/** 410 Gone with a Location that restarts the round (empty $deltatoken, same $select). */
function expired(req: DeltaRequest, itemKind: EntityKind | undefined, mask: number): DeltaAnswer {
  const select = itemKind ? selectText(itemKind, mask) : undefined;
  const query = select ? `$select=${select}&$deltatoken=` : '$deltatoken=';
  return {
    status: 410,
    headers: { Location: `${req.linkBase}?${query}` },
    json: {
      error: {
        code: 'syncStateNotFound',
        message:
          'The sync state generation is not found. The delta token is expired and data must be synchronized again.',
      },
    },
  };
}
