// Mailboxes as a sync leaves them on the real local parts (DynamoDB Local tables and a fauxqs S3
// bucket), and a raw look at everything stored for one: the purge tests check what remains with
// Scans and a bucket listing, not through the ports they test.
import { paginateScan } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { fromAttributeMap } from '../../lib/adapters/dynamodb/attribute-value.js';
import { DynamoCursorStore } from '../../lib/adapters/dynamodb/dynamo-cursor-store.js';
import { DynamoCursorEraser, DynamoMirrorEraser } from '../../lib/adapters/dynamodb/dynamo-erasers.js';
import { DynamoItemMirror } from '../../lib/adapters/dynamodb/dynamo-item-mirror.js';
import { DynamoMailboxRegistry } from '../../lib/adapters/dynamodb/dynamo-mailbox-registry.js';
import { S3SyncStateStore } from '../../lib/adapters/s3/s3-sync-state-store.js';
import { newFolderCursor, newHierarchyCursor } from '../../lib/core/hierarchy/folder-cursors.js';
import { HIERARCHY_CURSOR_ID, type Mailbox } from '../../lib/core/model.js';
import type { PurgeDeps } from '../../lib/core/operator/erasure-ports.js';
import type { LocalResources } from '../../local/create-resources.js';
import type { LocalAwsClients } from '../../local/local-aws-clients.js';

/** SyncStates longer than this spill to the bucket. */
const SPILL_THRESHOLD_BYTES = 200;
/** Real time: DynamoDB Local applies TTL, so slot rows and tombstones must not be expired already. */
export const NOW = Date.now();

export function purgeStores(clients: LocalAwsClients, res: LocalResources) {
  const spill = new S3SyncStateStore(clients.s3, res.stateBucket);
  return {
    spill,
    registry: new DynamoMailboxRegistry(clients.dynamodb, res.mailboxTable),
    cursors: new DynamoCursorStore(clients.dynamodb, res.cursorTable, {
      spill,
      spillThresholdBytes: SPILL_THRESHOLD_BYTES,
    }),
    mirror: new DynamoItemMirror(clients.dynamodb, res.itemTable),
    erasure: {
      mirror: new DynamoMirrorEraser(clients.dynamodb, res.itemTable),
      cursors: new DynamoCursorEraser(clients.dynamodb, res.cursorTable),
      states: spill,
    },
  };
}

export function purgeDeps(clients: LocalAwsClients, res: LocalResources): PurgeDeps {
  const { registry, cursors, mirror, erasure } = purgeStores(clients, res);
  return { registry, cursors, mirror, erasure, clock: { now: Date.now, sleep: (ms) => sleepFor(ms) } };
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function ewsMailbox(mailboxId: string): Mailbox {
  return {
    mailboxId,
    source: { kind: 'ews', smtpAddress: mailboxId, endpoint: 'https://ews.example.com/EWS/Exchange.asmx' },
    credentialsRef: 'exchange-sync/tenant-a',
    folderFilter: {},
    pageSize: 100,
    properties: ['subject'],
    maxConcurrentSyncs: 4,
    status: 'enabled',
    createdAt: NOW,
    updatedAt: NOW,
  };
}

export const SEEDED = {
  /** Folder id → display name and item rows (live and tombstoned) seeded into it. */
  folders: { 'AAMk/inbox+1=': ['Inbox', 30], 'AAMk/sent=': ['Sent Items', 6], 'AAMk/gone': ['Old', 4] },
  itemRows: 40,
  liveItems: 34,
  /** The hierarchy's and three folders'. */
  cursors: 4,
  /** The hierarchy's spilled SyncState, one folder's, and one orphan no cursor points at. */
  storedStates: 3,
} as const;

/**
 * A registered mailbox with a slot row, a spilled hierarchy SyncState, three folders (one big
 * SyncState spilled, one inline, one folder deleted on the server: closed, items tombstoned),
 * items of which some were deleted (tombstones), and an orphaned spilled state.
 */
export async function seedMailbox(clients: LocalAwsClients, res: LocalResources, mailboxId: string) {
  const { registry, cursors, mirror, spill } = purgeStores(clients, res);
  await registry.put(ewsMailbox(mailboxId));
  await registry.acquireSlot(mailboxId, 4, 'worker', NOW + 60_000, NOW);
  await cursors.create({
    ...newHierarchyCursor(mailboxId, HIERARCHY_CURSOR_ID, NOW),
    syncState: 'H'.repeat(SPILL_THRESHOLD_BYTES * 2),
  });
  let n = 0;
  for (const [folderId, [displayName, rows]] of Object.entries(SEEDED.folders)) {
    const big = n++ === 0;
    await cursors.create(
      newFolderCursor(mailboxId, folderId, NOW, {
        displayName,
        version: 5,
        syncState: big ? 'F'.repeat(SPILL_THRESHOLD_BYTES * 3) : 'small',
      }),
    );
    const write = { mailboxId, folderId, pageVersion: 4, generation: 0, now: NOW };
    const ids = Array.from({ length: rows }, (_, i) => `${displayName.replace(' ', '')}-${i}`);
    await mirror.apply(
      write,
      ids.map((itemId) => ({
        kind: 'create',
        itemId,
        itemType: 'Message',
        item: { subject: `about ${itemId}` },
      })),
    );
    if (displayName === 'Old') await mirror.tombstoneFolder({ ...write, pageVersion: 5 });
    else await mirror.apply({ ...write, pageVersion: 5 }, [{ kind: 'delete', itemId: ids[0]! }]);
  }
  await spill.put(mailboxId, 'AAMk/inbox+1=', 3, 'a superseded state whose delete failed');
}

/** Every row and object stored for the mailbox, read raw (Scans, a bucket listing), sorted. */
export async function storedFor(clients: LocalAwsClients, res: LocalResources, mailboxId: string) {
  const rows = async (table: string, belongs: (pk: string) => boolean) => {
    const found: Record<string, unknown>[] = [];
    for await (const page of paginateScan(
      { client: clients.dynamodb },
      { TableName: table, ConsistentRead: true },
    ))
      for (const item of page.Items ?? []) if (belongs(item.pk!.S!)) found.push(fromAttributeMap(item));
    return found.sort((a, b) => `${a.pk}/${a.sk}`.localeCompare(`${b.pk}/${b.sk}`));
  };
  const listed = await clients.s3.send(new ListObjectsV2Command({ Bucket: res.stateBucket }));
  return {
    registry: await rows(res.mailboxTable, (pk) => pk === mailboxId),
    cursors: await rows(res.cursorTable, (pk) => pk === mailboxId),
    items: await rows(res.itemTable, (pk) => pk.startsWith(`${mailboxId}#`)),
    objects: (listed.Contents ?? [])
      .map((o) => o.Key!)
      .filter((key) => key.startsWith(`${encodeURIComponent(mailboxId)}/`))
      .sort(),
  };
}

export const NOTHING_STORED = { registry: [], cursors: [], items: [], objects: [] };
