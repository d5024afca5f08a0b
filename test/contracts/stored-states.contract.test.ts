// The StoredStateEraser contract over the in-memory fake and the S3 adapter (fauxqs, a fresh
// bucket per test), with states stored the way the cursor store spills them.
import { S3SyncStateStore } from '../../lib/adapters/s3/s3-sync-state-store.js';
import { InMemoryStoredStates } from '../../lib/core/testing/in-memory-stored-states.js';
import { useLocalAws } from '../support/local-aws.js';
import { storedStatesContract } from './erasure.contract.js';

const local = useLocalAws();

storedStatesContract('InMemoryStoredStates', async () => {
  const states = new InMemoryStoredStates();
  return {
    eraser: states,
    put: async (mailboxId, folderId, version, state) => {
      await states.put(mailboxId, folderId, version, state);
    },
  };
});

storedStatesContract('S3SyncStateStore', async () => {
  const { stateBucket } = await local.resources();
  const store = new S3SyncStateStore(local.clients.s3, stateBucket);
  return {
    eraser: store,
    put: async (mailboxId, folderId, version, state) => {
      await store.put(mailboxId, folderId, version, state);
    },
  };
});
