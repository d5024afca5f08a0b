export {
  DEFAULT_SPILL_THRESHOLD_BYTES,
  DynamoCursorStore,
  type DynamoCursorStoreOptions,
  SyncStateTooLargeError,
} from './dynamo-cursor-store.js';
export { DynamoItemMirror, type DynamoItemMirrorOptions, partitionKey } from './dynamo-item-mirror.js';
export {
  DynamoMailboxRegistry,
  type DynamoMailboxRegistryOptions,
  InvalidPageTokenError,
} from './dynamo-mailbox-registry.js';
