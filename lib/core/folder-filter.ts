// Which folders get item sync. Pure: evaluated on hierarchy changes and again at every tick, so a
// changed filter takes effect without a resync.
import { DEFAULT_FOLDER_FILTER, type FolderFilter } from './model.js';

export const SEARCH_FOLDER_TYPE = 'SearchFolder';

export interface FolderFacts {
  folderClass?: string;
  distinguishedId?: string;
  /** The folder element the server reported (`Folder`, `CalendarFolder`, `SearchFolder`, ...). */
  folderType?: string;
}

/** An empty filter means the default (mail, calendar, contacts, tasks). */
export function effectiveFilter(filter: FolderFilter | undefined): FolderFilter {
  const hasIds = (filter?.distinguishedIds?.length ?? 0) > 0;
  const hasClasses = (filter?.folderClasses?.length ?? 0) > 0;
  return filter && (hasIds || hasClasses) ? filter : DEFAULT_FOLDER_FILTER;
}

/** `IPF.Note` selects `IPF.Note` and `IPF.Note.Custom`, not `IPF.Notes`. Case-insensitive. */
export function classMatches(prefix: string, folderClass: string): boolean {
  const p = prefix.toLowerCase();
  const c = folderClass.toLowerCase();
  return c === p || c.startsWith(`${p}.`);
}

/** Search folders are never selected: their items live in other folders and would sync twice. */
export function selectsFolder(filter: FolderFilter | undefined, folder: FolderFacts): boolean {
  if (folder.folderType === SEARCH_FOLDER_TYPE) return false;
  const f = effectiveFilter(filter);
  const id = folder.distinguishedId?.toLowerCase();
  if (id !== undefined && f.distinguishedIds?.some((d) => d.toLowerCase() === id)) return true;
  const cls = folder.folderClass;
  return cls !== undefined && (f.folderClasses ?? []).some((prefix) => classMatches(prefix, cls));
}
