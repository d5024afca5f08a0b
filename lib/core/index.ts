// The core's public surface: what handlers, adapters and the CLI import.
export * from './backoff.js';
export * from './config.js';
export type * from './deps.js';
export * from './errors.js';
export * from './fan-out-tick.js';
export { newFolderCursor, newHierarchyCursor, statusUnderFilter } from './folder-cursors.js';
export * from './folder-filter.js';
export * from './job-schema.js';
export * from './jobs.js';
export { decideOwnership, type Ownership } from './leased-page.js';
export * from './mirror-rules.js';
export * from './model.js';
export * from './outcome.js';
export * from './ports.js';
export * from './run-job.js';
export * from './schedule.js';
export * from './sync-folder-page.js';
export * from './sync-hierarchy-page.js';
