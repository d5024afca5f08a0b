// RequestServerVersion fallback. Every request names the schema version it is written for
// (DEFAULT_SERVER_VERSION, which Exchange 2013 and later and Exchange Online understand). A server
// that does not know that version answers ErrorInvalidServerVersion (Exchange 2007 and 2010 on
// premises); one that needs a newer version for the request answers ErrorIncorrectSchemaVersion.
// Both used to fail every call until an operator acted, with no setting to act on: the client now
// steps along this ladder instead, once per step, and keeps the version that was accepted.
import { EwsError } from './errors.js';

/**
 * Oldest first. Coarse on purpose: each step costs a round trip, and a server that knows a
 * version also knows every older one (Exchange 2010 SP1 gets Exchange2010, which is enough for
 * the operations the engine sends: SyncFolderItems, SyncFolderHierarchy, GetFolder, GetItem).
 */
export const SERVER_VERSION_LADDER: readonly string[] = [
  'Exchange2007_SP1',
  'Exchange2010',
  'Exchange2010_SP2',
  'Exchange2013_SP1',
  'Exchange2016',
];

/** The version to try after `error` answered a request sent with `version`; undefined for none. */
export function fallbackServerVersion(version: string, error: unknown): string | undefined {
  if (!(error instanceof EwsError)) return undefined;
  const at = SERVER_VERSION_LADDER.indexOf(version);
  if (at < 0) return undefined;
  if (error.code === 'ErrorInvalidServerVersion') return SERVER_VERSION_LADDER[at - 1];
  if (error.code === 'ErrorIncorrectSchemaVersion') return SERVER_VERSION_LADDER[at + 1];
  return undefined;
}
