// The sync semantics, free of XML and HTTP. A client's knowledge is two sets, as in Exchange's
// ICS: the serials of the records it has ("given") and the change numbers it has seen ("seen").
// A page walks the journal (newest change first by default), reports each record whose latest
// change the client has not seen, and adds it to both sets. Because the sets say exactly what
// was delivered, mutations between pages can never make a change vanish or arrive twice, and the
// change kind is decided per record against what this client holds:
//   not given, live            -> Create (create then update = one Create)
//   given, content cn unseen   -> Update (the read flag rides along)
//   given, only read cn unseen -> ReadFlagChange
//   given, gone                -> Delete (update then delete = one Delete)
//   not given, gone            -> nothing (create then delete = nothing)
// When a page drains everything, "seen" collapses to [1..counter], so a caught-up state is two
// or three ranges plus one per deleted hole in "given".
import type { Journal, JournalRecord } from './journal.js';
import { RangeSet } from './range-set.js';

export interface SyncKnowledge {
  given: RangeSet;
  seen: RangeSet;
}

export type ChangeKind = 'create' | 'update' | 'readFlagChange' | 'delete';

export interface EngineChange<T> {
  kind: ChangeKind;
  record: JournalRecord<T>;
}

export interface PageOptions<T> {
  maxChanges: number;
  /** Exchange Online sends the newest changes first; false walks from the oldest. */
  newestFirst: boolean;
  /** Serials the client asked to skip: treated as delivered without being reported. */
  ignore?: ReadonlySet<number>;
  /** Records outside the sync scope (associated items, folders outside the root) do not exist for the client. */
  inScope?: (record: JournalRecord<T>) => boolean;
}

export interface EnginePage<T> {
  changes: EngineChange<T>[];
  knowledge: SyncKnowledge;
  includesLast: boolean;
}

export function emptyKnowledge(): SyncKnowledge {
  return { given: new RangeSet(), seen: new RangeSet() };
}

export function classify<T>(
  record: JournalRecord<T>,
  knowledge: SyncKnowledge,
  inScope: ((record: JournalRecord<T>) => boolean) | undefined,
): ChangeKind | undefined {
  const given = knowledge.given.has(record.serial);
  const present = record.deletedCn === 0 && (inScope === undefined || inScope(record));
  if (!present) return given ? 'delete' : undefined;
  if (!given) return 'create';
  if (!knowledge.seen.has(record.cn)) return 'update';
  if (!knowledge.seen.has(record.readCn)) return 'readFlagChange';
  return undefined;
}

function deliver<T>(record: JournalRecord<T>, kind: ChangeKind, knowledge: SyncKnowledge): void {
  if (kind === 'delete') {
    knowledge.given.remove(record.serial);
    if (record.deletedCn) knowledge.seen.add(record.deletedCn);
    return;
  }
  knowledge.given.add(record.serial);
  knowledge.seen.add(record.cn);
  knowledge.seen.add(record.readCn);
}

/** Computes one page and the knowledge after it. Does not modify `knowledge`. */
export function computePage<T>(
  journal: Journal<T>,
  knowledge: SyncKnowledge,
  options: PageOptions<T>,
): EnginePage<T> {
  const next: SyncKnowledge = { given: knowledge.given.clone(), seen: knowledge.seen.clone() };
  const changes: EngineChange<T>[] = [];
  const { maxChanges, newestFirst, ignore, inScope } = options;
  const seen = next.seen;
  let includesLast = true;

  const step = newestFirst ? -1 : 1;
  let i = newestFirst ? journal.entryCount - 1 : firstUnseenIndex(journal, seen);
  while (i >= 0 && i < journal.entryCount) {
    const cn = journal.entryCn(i);
    const r = seen.rangeIndexOf(cn);
    if (r >= 0) {
      // Everything in a seen run of change numbers is delivered or superseded: skip the run.
      i = newestFirst ? journal.lowerBound(seen.rangeStart(r)) - 1 : journal.lowerBound(seen.rangeEnd(r) + 1);
      continue;
    }
    const record = journal.entryRecord(i);
    i += step;
    if (record === undefined) continue;
    const kind = classify(record, next, inScope);
    if (kind === undefined) continue;
    if (ignore?.has(record.serial)) {
      deliver(record, kind, next);
      continue;
    }
    if (changes.length === maxChanges) {
      includesLast = false;
      break;
    }
    changes.push({ kind, record });
    deliver(record, kind, next);
  }
  if (includesLast) {
    next.seen = journal.counter > 0 ? RangeSet.interval(1, journal.counter) : new RangeSet();
  }
  return { changes, knowledge: next, includesLast };
}

function firstUnseenIndex(journal: Journal<unknown>, seen: RangeSet): number {
  // A state that has caught up once has seen [1..w]: start above w.
  if (seen.rangeCount > 0 && seen.rangeStart(0) === 1) return journal.lowerBound(seen.rangeEnd(0) + 1);
  return 0;
}
