// The CursorStore contract over the in-memory fake and the DynamoDB adapter (DynamoDB Local, fresh
// tables per test; once more with every SyncState spilled to S3).
import { DynamoCursorStore } from '../../lib/adapters/dynamodb/dynamo-cursor-store.js';
import { DynamoCursorEraser } from '../../lib/adapters/dynamodb/dynamo-erasers.js';
import { S3SyncStateStore } from '../../lib/adapters/s3/s3-sync-state-store.js';
import { InMemoryCursorStore } from '../../lib/core/testing/in-memory-cursor-store.js';
import { useLocalAws } from '../support/local-aws.js';
import { cursorStoreContract } from './cursor-store.contract.js';
import { cursorEraserContract } from './erasure.contract.js';

const local = useLocalAws();

cursorStoreContract('InMemoryCursorStore', async () => new InMemoryCursorStore());

cursorStoreContract(
  'DynamoCursorStore',
  async () => new DynamoCursorStore(local.clients.dynamodb, (await local.tables()).cursorTable),
);

cursorStoreContract('DynamoCursorStore, SyncStates spilled to S3', async () => {
  const res = await local.resources();
  return new DynamoCursorStore(local.clients.dynamodb, res.cursorTable, {
    spill: new S3SyncStateStore(local.clients.s3, res.stateBucket),
    spillThresholdBytes: 0,
  });
});

// Erasing (mailbox purge) over the rows the store wrote; spilled states are the state bucket's
// eraser's (stored-states.contract.test.ts).
cursorEraserContract('InMemoryCursorStore', async () => {
  const cursors = new InMemoryCursorStore();
  return { cursors, eraser: cursors };
});

cursorEraserContract('DynamoCursorEraser, SyncStates spilled to S3', async () => {
  const res = await local.resources();
  return {
    cursors: new DynamoCursorStore(local.clients.dynamodb, res.cursorTable, {
      spill: new S3SyncStateStore(local.clients.s3, res.stateBucket),
      spillThresholdBytes: 0,
    }),
    eraser: new DynamoCursorEraser(local.clients.dynamodb, res.cursorTable),
  };
});
