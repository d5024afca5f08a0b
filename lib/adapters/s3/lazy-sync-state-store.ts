// The state bucket, loaded on first use. Few SyncStates need it (only those above
// 8 KB), while importing the S3 client costs about 70 ms of every cold start.
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { StoredStateEraser } from '../../core/operator/erasure-ports.js';
import { S3SyncStateStore, type SyncStateRef, type SyncStateSpill } from './s3-sync-state-store.js';

export class LazyS3SyncStateStore implements SyncStateSpill, StoredStateEraser {
  private store?: Promise<{ store: S3SyncStateStore; destroy(): void }>;

  constructor(
    private readonly bucket: string,
    private readonly clientConfig: S3ClientConfig = {},
  ) {}

  private load(): Promise<S3SyncStateStore> {
    this.store ??= import('@aws-sdk/client-s3').then(({ S3Client }) => {
      const client = new S3Client(this.clientConfig);
      return { store: new S3SyncStateStore(client, this.bucket), destroy: () => client.destroy() };
    });
    // A failed load (it should not happen) is retried by the next call.
    this.store.catch(() => {
      this.store = undefined;
    });
    return this.store.then((loaded) => loaded.store);
  }

  async put(mailboxId: string, folderId: string, version: number, syncState: string): Promise<SyncStateRef> {
    return (await this.load()).put(mailboxId, folderId, version, syncState);
  }

  async get(ref: SyncStateRef): Promise<string> {
    return (await this.load()).get(ref);
  }

  async delete(ref: SyncStateRef): Promise<void> {
    return (await this.load()).delete(ref);
  }

  async listStates(mailboxId: string): Promise<string[]> {
    return (await this.load()).listStates(mailboxId);
  }

  async deleteStates(mailboxId: string, names: readonly string[]): Promise<void> {
    return (await this.load()).deleteStates(mailboxId, names);
  }

  destroy(): void {
    void this.store?.then((loaded) => loaded.destroy()).catch(() => {});
  }
}
