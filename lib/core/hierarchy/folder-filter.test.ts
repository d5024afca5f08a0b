import { describe, expect, it } from 'vitest';
import { DEFAULT_FOLDER_FILTER } from '../model.js';
import { effectiveFilter, selectsFolder } from './folder-filter.js';

describe('selectsFolder', () => {
  it('uses the default filter (mail, calendar, contacts, tasks) when none is given', () => {
    expect(effectiveFilter(undefined)).toBe(DEFAULT_FOLDER_FILTER);
    expect(effectiveFilter({ wellKnownNames: [], kinds: [] })).toBe(DEFAULT_FOLDER_FILTER);
    for (const kind of ['mail', 'calendar', 'contacts', 'tasks'] as const) {
      expect(selectsFolder(undefined, { folderKind: kind }), kind).toBe(true);
    }
    for (const kind of ['notes', 'other'] as const) {
      expect(selectsFolder({}, { folderKind: kind }), kind).toBe(false);
    }
    expect(selectsFolder(undefined, {})).toBe(false);
  });

  it('selects by well-known name (case-insensitive) OR kind', () => {
    const filter = { wellKnownNames: ['inbox', 'SentItems'] };
    expect(selectsFolder(filter, { wellKnownName: 'inbox', folderKind: 'mail' })).toBe(true);
    expect(selectsFolder(filter, { wellKnownName: 'sentitems' })).toBe(true);
    expect(selectsFolder(filter, { wellKnownName: 'drafts', folderKind: 'mail' })).toBe(false);
    expect(selectsFolder({ ...filter, kinds: ['tasks'] }, { folderKind: 'tasks' })).toBe(true);
  });
});
