import { readId } from './soap.js';
import type { EwsFolder } from './types.js';
import type { XmlElement } from './xml/element.js';
import { elementToObject } from './xml/to-object.js';

/** A Folder/CalendarFolder/... element: its id, and its properties with ParentFolderId flattened to the id. */
export function readFolderElement(element: XmlElement): {
  folderId: string;
  changeKey?: string;
  folderType: string;
  folder: EwsFolder;
} {
  const { id, changeKey } = readId(element.child('FolderId'), `${element.name}/FolderId`);
  const folder: EwsFolder = elementToObject(element, 'FolderId');
  const parent = element.child('ParentFolderId')?.attr('Id');
  if (parent !== undefined) folder.parentFolderId = parent;
  else delete folder.parentFolderId;
  return changeKey === undefined
    ? { folderId: id, folderType: element.name, folder }
    : { folderId: id, changeKey, folderType: element.name, folder };
}
