export { DynamoCursorStore, type DynamoCursorStoreOptions } from './dynamo-cursor-store.js';
export { DynamoItemMirror, type DynamoItemMirrorOptions, partitionKey } from './dynamo-item-mirror.js';
export {
  DynamoMailboxRegistry,
  type DynamoMailboxRegistryOptions,
  InvalidPageTokenError,
} from './dynamo-mailbox-registry.js';
export {
  DEFAULT_SPILL_THRESHOLD_BYTES,
  MAX_INLINE_SYNC_STATE_BYTES,
  SyncStateTooLargeError,
} from './sync-state-placement.js';
