// The hierarchy of a Graph mailbox comes from two delta collections (mailFolders and
// contactFolders), each with its own link; the engine keeps one opaque state per hierarchy. A
// round walks mail folders to their deltaLink, then contact folders to theirs, and only then is
// the hierarchy complete. The state is JSON holding both links and which collection is next.
import { MailSourceError } from '../../core/errors.js';

export type FolderCollection = 'mailFolders' | 'contactFolders';

export interface HierarchyState {
  v: 1;
  next: FolderCollection;
  mailFolders?: string;
  contactFolders?: string;
}

export const INITIAL_HIERARCHY_STATE: HierarchyState = { v: 1, next: 'mailFolders' };

export function decodeHierarchyState(syncState: string | undefined): HierarchyState {
  if (syncState === undefined || syncState === '') return INITIAL_HIERARCHY_STATE;
  let parsed: unknown;
  try {
    parsed = JSON.parse(syncState);
  } catch {
    parsed = undefined;
  }
  const state = parsed as Partial<HierarchyState> | undefined;
  const linkOk = (link: unknown) => link === undefined || typeof link === 'string';
  if (
    state?.v !== 1 ||
    (state.next !== 'mailFolders' && state.next !== 'contactFolders') ||
    !linkOk(state.mailFolders) ||
    !linkOk(state.contactFolders)
  ) {
    // Not ours (a state of another protocol, after a migration): start the hierarchy over.
    throw new MailSourceError(
      'invalidSyncState',
      'ForeignSyncState',
      'the hierarchy state is not a Graph state',
    );
  }
  return state as HierarchyState;
}

/**
 * The state after a page of `collection`: a nextLink continues it; a deltaLink ends its round
 * and passes to the other collection, and the hierarchy is complete after contact folders.
 */
export function advanceHierarchyState(
  state: HierarchyState,
  page: { nextLink?: string; deltaLink?: string },
): { state: HierarchyState; more: boolean } {
  const collection = state.next;
  if (page.nextLink !== undefined) return { state: { ...state, [collection]: page.nextLink }, more: true };
  const done = { ...state, [collection]: page.deltaLink };
  return collection === 'mailFolders'
    ? { state: { ...done, next: 'contactFolders' }, more: true }
    : { state: { ...done, next: 'mailFolders' }, more: false };
}
