import { describe, expect, it } from 'vitest';
import { classMatches, effectiveFilter, selectsFolder } from './folder-filter.js';
import { DEFAULT_FOLDER_FILTER } from './model.js';

describe('selectsFolder', () => {
  it('uses the default filter (mail, calendar, contacts, tasks) when none is given', () => {
    expect(effectiveFilter(undefined)).toBe(DEFAULT_FOLDER_FILTER);
    expect(effectiveFilter({ distinguishedIds: [], folderClasses: [] })).toBe(DEFAULT_FOLDER_FILTER);
    for (const cls of [
      'IPF.Note',
      'IPF.Appointment',
      'IPF.Contact',
      'IPF.Task',
      'IPF.Note.OutlookHomepage',
    ]) {
      expect(selectsFolder(undefined, { folderClass: cls }), cls).toBe(true);
    }
    for (const cls of ['IPF.StickyNote', 'IPF.Journal', 'IPF.Configuration', 'IPF.Notes']) {
      expect(selectsFolder({}, { folderClass: cls }), cls).toBe(false);
    }
    expect(selectsFolder(undefined, {})).toBe(false);
  });

  it('matches class prefixes on a dot boundary, case-insensitively', () => {
    expect(classMatches('IPF.Note', 'ipf.note.custom')).toBe(true);
    expect(classMatches('IPF.Note', 'IPF.NoteX')).toBe(false);
  });

  it('selects by distinguished id OR class', () => {
    const filter = { distinguishedIds: ['inbox', 'SentItems'] };
    expect(selectsFolder(filter, { distinguishedId: 'inbox', folderClass: 'IPF.Note' })).toBe(true);
    expect(selectsFolder(filter, { distinguishedId: 'sentitems' })).toBe(true);
    expect(selectsFolder(filter, { distinguishedId: 'drafts', folderClass: 'IPF.Note' })).toBe(false);
    expect(selectsFolder({ ...filter, folderClasses: ['IPF.Task'] }, { folderClass: 'IPF.Task' })).toBe(true);
  });

  it('never selects a search folder, whatever the filter says', () => {
    expect(selectsFolder(undefined, { folderType: 'SearchFolder', folderClass: 'IPF.Note' })).toBe(false);
    expect(
      selectsFolder(
        { distinguishedIds: ['searchfolders'] },
        { folderType: 'SearchFolder', distinguishedId: 'searchfolders' },
      ),
    ).toBe(false);
  });
});
