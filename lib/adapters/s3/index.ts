export { S3SyncStateStore, type SyncStateRef, SyncStateObjectMissingError } from './s3-sync-state-store.js';
