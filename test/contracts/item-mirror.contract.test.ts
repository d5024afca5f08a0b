// The ItemMirror contract over the in-memory fake and the DynamoDB adapter in both write modes
// (DynamoDB Local, fresh tables per test).
import { DynamoMirrorEraser } from '../../lib/adapters/dynamodb/dynamo-erasers.js';
import { DynamoItemMirror } from '../../lib/adapters/dynamodb/dynamo-item-mirror.js';
import { InMemoryItemMirror } from '../../lib/core/testing/in-memory-item-mirror.js';
import { useLocalAws } from '../support/local-aws.js';
import { mirrorEraserContract } from './erasure.contract.js';
import { itemMirrorContract } from './item-mirror.contract.js';

const local = useLocalAws();

itemMirrorContract('InMemoryItemMirror', async () => new InMemoryItemMirror());

// Other work runs between the fake's read and each of its writes, as between the adapter's calls.
itemMirrorContract('InMemoryItemMirror (yielding between writes)', async () => {
  const m = new InMemoryItemMirror();
  m.yieldBetweenWrites = () => new Promise((resolve) => setImmediate(resolve));
  return m;
});

for (const writeMode of ['item', 'transaction'] as const) {
  itemMirrorContract(
    `DynamoItemMirror (${writeMode} writes)`,
    async () => new DynamoItemMirror(local.clients.dynamodb, (await local.tables()).itemTable, { writeMode }),
    // One row per PutItem is slow on DynamoDB Local: a smaller page (still several read batches).
    { fullPageSize: writeMode === 'item' ? 150 : 512 },
  );
}

// Erasing (mailbox purge) over the same rows the mirror wrote.
mirrorEraserContract('InMemoryItemMirror', async () => {
  const mirror = new InMemoryItemMirror();
  return { mirror, eraser: mirror };
});

mirrorEraserContract('DynamoMirrorEraser', async () => {
  const { itemTable } = await local.tables();
  return {
    mirror: new DynamoItemMirror(local.clients.dynamodb, itemTable),
    eraser: new DynamoMirrorEraser(local.clients.dynamodb, itemTable),
  };
});
