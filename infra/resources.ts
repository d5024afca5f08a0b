// The one place that defines tables, queues and the environment contract. The CDK stacks and the
// local run (local/) both build from these definitions, so the two cannot drift.
// Plain data only: no CDK or SDK imports, so handlers and the local runner can import it cheaply.

export interface TableDefinition {
  /** Logical id in CDK and the table name suffix locally. */
  id: string;
  partitionKey: string;
  sortKey: string;
  /** Attribute holding an epoch-seconds expiry (DynamoDB TTL). */
  ttlAttribute?: string;
  /** The item mirror's stream is the change feed for consumers. */
  stream?: 'NEW_AND_OLD_IMAGES';
}

/**
 * Mailbox registry: pk = mailboxId, sk = '#mailbox' for the mailbox row, 'slot#<n>' for the
 * per-mailbox concurrency slots (expiring).
 */
export const MAILBOX_TABLE: TableDefinition = {
  id: 'Mailboxes',
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
};

/** Cursors: pk = mailboxId, sk = folderId (or '#hierarchy'). */
export const CURSOR_TABLE: TableDefinition = {
  id: 'Cursors',
  partitionKey: 'pk',
  sortKey: 'sk',
};

/** Item mirror: pk = `${mailboxId}#${folderId}`, sk = itemId. Tombstones expire via TTL. */
export const ITEM_TABLE: TableDefinition = {
  id: 'Items',
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  stream: 'NEW_AND_OLD_IMAGES',
};

export const TABLES = [MAILBOX_TABLE, CURSOR_TABLE, ITEM_TABLE] as const;

/** Worker limits that the queue, the lease and the event source must agree on. */
export const WORKER_DEFAULTS = {
  timeoutSeconds: 60,
  memoryMb: 512,
  /** SQS records per invocation. Each record is one EWS page. */
  batchSize: 5,
  /** Lambda's maximum concurrency for the SQS event source (protects tenants and the bill). */
  maxConcurrency: 50,
} as const;

export const SYNC_QUEUE = {
  id: 'SyncQueue',
  /** AWS recommends at least 6x the function timeout for SQS event sources. */
  visibilityTimeoutSeconds: WORKER_DEFAULTS.timeoutSeconds * 6,
  retentionDays: 4,
  /** After this many receives a message goes to the DLQ. */
  maxReceiveCount: 5,
} as const;

export const DEAD_LETTER_QUEUE = { id: 'SyncDeadLetterQueue', retentionDays: 14 } as const;

/**
 * A lease must outlive any invocation holding it, so an expired lease means its holder is dead.
 */
export const LEASE_MS = (WORKER_DEFAULTS.timeoutSeconds + 30) * 1000;

/** A rule of the mirror (lib/core/mirror/mirror-rules.ts), re-exported for the stack and its tests. */
export { TOMBSTONE_TTL_SECONDS } from '../lib/core/mirror/mirror-rules.js';

/** Environment variables the handlers read; the stack sets them and the local run sets them too. */
export const ENV = {
  mailboxTable: 'MAILBOX_TABLE',
  cursorTable: 'CURSOR_TABLE',
  itemTable: 'ITEM_TABLE',
  syncQueueUrl: 'SYNC_QUEUE_URL',
  /** Invalid messages are moved here at once, with the reason as a message attribute. */
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  /** Mailbox defaults applied by the CLI when registering (page size, concurrency). */
  defaultPageSize: 'DEFAULT_PAGE_SIZE',
  maxConcurrentSyncsPerMailbox: 'MAX_CONCURRENT_SYNCS_PER_MAILBOX',
  stateBucket: 'STATE_BUCKET',
  secretPrefix: 'SECRET_PREFIX',
  /** Minimum minutes between two syncs of the same folder started by the tick. */
  syncIntervalMinutes: 'SYNC_INTERVAL_MINUTES',
  tickRateMinutes: 'TICK_RATE_MINUTES',
  /** Our own guard against endless follow-up chains. */
  maxHops: 'MAX_HOPS',
  /** Pages of one chain a delivery runs in a row (the worker only). */
  pagesPerInvocation: 'PAGES_PER_INVOCATION',
  /**
   * Cursor lease length in ms. The stack sets it from the configured worker timeout (timeout +
   * 30 s, as LEASE_MS); handlers fall back to LEASE_MS when it is unset.
   */
  leaseMs: 'LEASE_MS',
  /**
   * The stand-ins' endpoints, written by `exchange-sync dev` for the operator CLI. The handlers
   * never read them: the local run passes them to local/container.ts.
   */
  dynamoEndpoint: 'DYNAMODB_ENDPOINT',
  sqsEndpoint: 'SQS_ENDPOINT',
} as const;

export const PROJECT_PREFIX = 'exchange-sync';

/** CloudWatch metrics the worker emits (EMF) and the alarms and dashboard read. */
export const METRICS = {
  namespace: 'ExchangeSync',
  pages: 'PagesSynced',
  changes: 'ChangesApplied',
  throttled: 'EwsThrottled',
  errors: 'SyncErrors',
  parked: 'MailboxesParked',
  /** Seconds between a folder's last completed sync and now, when a chain completes. */
  lagSeconds: 'SyncLagSeconds',
  jobsEnqueued: 'JobsEnqueued',
  /** Registry rows that fail the mailbox schema (treated as parked, or skipped by the tick). */
  invalidRegistryRows: 'InvalidRegistryRows',
  /** Chains stopped by maxHops, or by empty pages in a row that claim more (not-advancing). */
  chainsStopped: 'ChainsStopped',
} as const;

/**
 * The dimension set every metric above is emitted with (Powertools adds `service` by default;
 * the stack sets POWERTOOLS_SERVICE_NAME to this value). Alarms match metrics by name AND exact
 * dimensions, so emitters and alarms must agree on it.
 */
export const METRIC_DIMENSIONS = { service: PROJECT_PREFIX } as const;
