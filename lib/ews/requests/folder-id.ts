import { escapeXml } from './escape.js';
import { EwsRequestError } from './request-error.js';

/** A folder named by a distinguished id (`inbox`, `msgfolderroot`, ...) or by its real id. */
export type FolderRef = { distinguishedId: string } | { id: string; changeKey?: string };

/**
 * The distinguished folder ids of EWS that name a mailbox folder. The simulator keeps its own
 * list on purpose: sharing it would let a gap here hide from the tests.
 */
export const DISTINGUISHED_FOLDER_IDS: ReadonlySet<string> = new Set([
  'archive',
  'clutter',
  'calendar',
  'contacts',
  'deleteditems',
  'drafts',
  'inbox',
  'journal',
  'notes',
  'outbox',
  'sentitems',
  'tasks',
  'msgfolderroot',
  'publicfoldersroot',
  'root',
  'junkemail',
  'searchfolders',
  'voicemail',
  'recoverableitemsroot',
  'recoverableitemsdeletions',
  'recoverableitemsversions',
  'recoverableitemspurges',
  'archiveroot',
  'archivemsgfolderroot',
  'archivedeleteditems',
  'archiveinbox',
  'archiverecoverableitemsroot',
  'archiverecoverableitemsdeletions',
  'archiverecoverableitemsversions',
  'archiverecoverableitemspurges',
  'syncissues',
  'conflicts',
  'localfailures',
  'serverfailures',
  'recipientcache',
  'quickcontacts',
  'conversationhistory',
  'adminauditlogs',
  'todosearch',
  'mycontacts',
  'directory',
  'imcontactlist',
  'peopleconnect',
  'favorites',
]);

export function renderFolderId(folder: FolderRef): string {
  if ('distinguishedId' in folder) {
    if (!DISTINGUISHED_FOLDER_IDS.has(folder.distinguishedId)) {
      throw new EwsRequestError(`unknown distinguished folder id ${folder.distinguishedId}`, 'folderId');
    }
    return `<t:DistinguishedFolderId Id="${folder.distinguishedId}"/>`;
  }
  if (folder.id === '') throw new EwsRequestError('empty folder id', 'folderId');
  const changeKey = folder.changeKey === undefined ? '' : ` ChangeKey="${escapeXml(folder.changeKey)}"`;
  return `<t:FolderId Id="${escapeXml(folder.id)}"${changeKey}/>`;
}
