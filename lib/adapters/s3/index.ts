export { S3SyncStateStore, SyncStateObjectMissingError, type SyncStateRef } from './s3-sync-state-store.js';
