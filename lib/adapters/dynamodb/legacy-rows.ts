// Rows written before the engine spoke more than one protocol, read in today's shape. Until
// every row has been rewritten, a mailbox row may carry its EWS endpoint and address at the top
// level with an EWS folder filter and FieldURIs, and a folder cursor its EWS folder class and
// distinguished id. Reading them as they were would stop every existing deployment (no folder
// would match the filter, so all would be excluded and their mirrors tombstoned).
import type { ItemProperty } from '../../core/mirror/item-properties.js';
import type { FolderKind } from '../../core/model.js';
import { folderKindOf } from '../ews/folder-projection.js';
import { EWS_PROPERTY_SOURCES } from '../ews/item-projection.js';

/** Cursor attributes of the old shape: read once into the new ones, removed at the next write. */
export const LEGACY_CURSOR_FIELDS = ['folderClass', 'distinguishedId'] as const;

type Row = Record<string, unknown>;

export function upgradeCursorRow(row: Row): Row {
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
