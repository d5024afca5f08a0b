// The core's public surface: what handlers, adapters and the CLI import.

export * from './config.js';
export type * from './deps.js';
export * from './errors.js';
export * from './folder/sync-folder-page.js';
export { newFolderCursor, newHierarchyCursor, selectedByFilter } from './hierarchy/folder-cursors.js';
export * from './hierarchy/folder-filter.js';
export * from './hierarchy/sync-hierarchy-page.js';
export * from './jobs/builders.js';
export { decodePageToken } from './jobs/job-fields.js';
export type { JobOutcome } from './jobs/job-kind.js';
export * from './jobs/registry.js';
export * from './mirror/mirror-rules.js';
export * from './model.js';
export * from './outcome.js';
export * from './outcome-classes.js';
export * from './page/backoff.js';
export { decideOwnership, type Ownership } from './page/index.js';
export * from './ports.js';
export * from './schedule/due.js';
export * from './schedule/fan-out-tick.js';
