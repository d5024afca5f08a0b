// Which folders get item sync. Pure: evaluated on hierarchy changes and again at every tick, so a
// changed filter takes effect without a resync.
import { DEFAULT_FOLDER_FILTER, type FolderFilter, type FolderKind } from '../model.js';

export interface FolderFacts {
  folderKind?: FolderKind;
  wellKnownName?: string;
}

/** An empty filter means the default (mail, calendar, contacts, tasks). */
export function effectiveFilter(filter: FolderFilter | undefined): FolderFilter {
  const hasNames = (filter?.wellKnownNames?.length ?? 0) > 0;
  const hasKinds = (filter?.kinds?.length ?? 0) > 0;
  return filter && (hasNames || hasKinds) ? filter : DEFAULT_FOLDER_FILTER;
}

/** A folder is selected by its well-known name (case-insensitive) or by its kind. */
export function selectsFolder(filter: FolderFilter | undefined, folder: FolderFacts): boolean {
  const f = effectiveFilter(filter);
  const name = folder.wellKnownName?.toLowerCase();
  if (name !== undefined && f.wellKnownNames?.some((n) => n.toLowerCase() === name)) return true;
  const kind = folder.folderKind;
  return kind !== undefined && (f.kinds ?? []).includes(kind);
}
