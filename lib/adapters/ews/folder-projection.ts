// EWS folders in the core's words: the folder class (IPF.*) becomes a neutral folder kind, and a
// search folder is virtual (its items live elsewhere).
import type { FolderKind } from '../../core/model.js';
import type { FolderChange } from '../../core/ports.js';
import type { FolderChange as EwsFolderChange } from '../../ews/types.js';

/** Class prefixes, most specific first: `IPF.Note.Custom` is mail, `IPF.StickyNote` notes. */
const KIND_BY_CLASS: [prefix: string, kind: FolderKind][] = [
  ['ipf.note', 'mail'],
  ['ipf.appointment', 'calendar'],
  ['ipf.contact', 'contacts'],
  ['ipf.task', 'tasks'],
  ['ipf.stickynote', 'notes'],
];

/** `IPF.Note` is mail, and so is `IPF.Note.Custom`; `IPF.Notes` is not. Case-insensitive. */
export function folderKindOf(folderClass: string | undefined): FolderKind | undefined {
  if (folderClass === undefined || folderClass === '') return undefined;
  const c = folderClass.toLowerCase();
  for (const [prefix, kind] of KIND_BY_CLASS) {
    if (c === prefix || c.startsWith(`${prefix}.`)) return kind;
  }
  return 'other';
}

export function toFolderChange(change: EwsFolderChange): FolderChange {
  if (change.kind === 'delete') return change;
  const { displayName, folderClass, parentFolderId } = change.folder;
  const folder: Extract<FolderChange, { folder: unknown }>['folder'] = {};
  if (typeof displayName === 'string') folder.displayName = displayName;
  const kind = folderKindOf(typeof folderClass === 'string' ? folderClass : undefined);
  if (kind !== undefined) folder.kind = kind;
  if (typeof parentFolderId === 'string') folder.parentFolderId = parentFolderId;
  const out: FolderChange = { kind: change.kind, folderId: change.folderId, folder };
  if (change.folderType === 'SearchFolder') out.virtual = true;
  if (change.changeKey !== undefined) out.changeKey = change.changeKey;
  return out;
}
