// Rows written before the engine spoke more than one protocol, read in today's shape. Until
// every row has been rewritten, a mailbox row may carry its EWS endpoint and address at the top
// level with an EWS folder filter and FieldURIs, and a folder cursor its EWS folder class and
// distinguished id. Reading them as they were would stop every existing deployment (no folder
// would match the filter, so all would be excluded and their mirrors tombstoned).
import type { ItemProperty } from '../../core/mirror/item-properties.js';
import type { FolderKind } from '../../core/model.js';
import { folderKindOf } from '../ews/folder-projection.js';
import { EWS_PROPERTY_SOURCES } from '../ews/item-projection.js';

/**
 * Cursor attributes of the old shape: read into the folder facts, removed by the next write of
 * the facts (a page's write names no fact, so it leaves them).
 */
export const LEGACY_CURSOR_FIELDS = ['folderClass', 'distinguishedId'] as const;

/**
 * Before folder facts had a writer of their own, a stopped folder said so in its page status
 * (with the reason in statusReason), written after its close at that very version.
 */
export const LEGACY_STOPPED_STATUSES = ['gone', 'excluded'] as const;

type Row = Record<string, unknown>;

export function upgradeCursorRow(row: Row): Row {
  return upgradeFactAttributes(upgradeStoppedStatus(row));
}

/** A status gone or excluded is the stop it meant, and the page is idle. */
function upgradeStoppedStatus(row: Row): Row {
  const status = row.status as string;
  if (!(LEGACY_STOPPED_STATUSES as readonly string[]).includes(status)) return row;
  const { statusReason, ...rest } = row;
  rest.status = 'idle';
  // A facts write since stored the stop in today's shape (the page status stays until a resume).
  rest.stop ??= {
    reason: status,
    code: statusReason ?? (status === 'gone' ? 'FolderDeleted' : 'ExcludedByFilter'),
    at: row.updatedAt,
    // The old writers closed the folder at the version of the write that stopped it (or below).
    closedAtVersion: row.version,
  };
  return rest;
}

function upgradeFactAttributes(row: Row): Row {
  if (row.folderClass === undefined && row.distinguishedId === undefined) return row;
  const { folderClass, distinguishedId, ...rest } = row;
  if (rest.folderKind === undefined && typeof folderClass === 'string') {
    const kind = folderKindOf(folderClass);
    if (kind !== undefined) rest.folderKind = kind;
  }
  if (rest.wellKnownName === undefined && typeof distinguishedId === 'string')
    rest.wellKnownName = distinguishedId;
  return rest;
}

const PROPERTY_BY_FIELD_URI = new Map(
  Object.entries(EWS_PROPERTY_SOURCES).map(([property, source]) => [
    source.fieldUri,
    property as ItemProperty,
  ]),
);

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

export function upgradeMailboxRow(row: Row): Row {
  if (row.source !== undefined) return row;
  const { smtpAddress, endpoint, folderFilter, properties, ...rest } = row;
  const upgraded: Row = { ...rest, source: { kind: 'ews', endpoint, smtpAddress } };
  const filter = (folderFilter ?? {}) as Row;
  const kinds = [...new Set(strings(filter.folderClasses).map(folderKindOf))].filter(
    (kind): kind is FolderKind => kind !== undefined,
  );
  const wellKnownNames = strings(filter.distinguishedIds);
  upgraded.folderFilter = {
    ...(wellKnownNames.length > 0 ? { wellKnownNames } : {}),
    ...(kinds.length > 0 ? { kinds } : {}),
  };
  // A FieldURI with no canonical property is dropped: the mirror stores canonical properties only.
  upgraded.properties = strings(properties).flatMap((uri) => PROPERTY_BY_FIELD_URI.get(uri) ?? []);
  return upgraded;
}
