import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** Where a spilled SyncState lives. */
export interface SyncStateRef {
  bucket: string;
  key: string;
}

/** The spilled SyncState object is gone (the cursor moved on and its old state was deleted). */
export class SyncStateObjectMissingError extends Error {
  override readonly name = 'SyncStateObjectMissingError';
  constructor(readonly ref: SyncStateRef) {
    super(`spilled SyncState s3://${ref.bucket}/${ref.key} does not exist`);
  }
}

/**
 * SyncStates too big for a DynamoDB item (400 KB) go to S3. Objects are immutable: each write
 * gets a new key (mailbox/folder/version plus a random suffix, so two racing writers of the same
 * version never overwrite each other), and the cursor row points at the current one.
 */
export class S3SyncStateStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(mailboxId: string, folderId: string, version: number, syncState: string): Promise<SyncStateRef> {
    // Folder ids are base64 and contain '/', '+' and '='.
    const key = `${encodeURIComponent(mailboxId)}/${encodeURIComponent(folderId)}/${version}-${randomUUID()}`;
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: syncState, ContentType: 'text/plain' }),
    );
    return { bucket: this.bucket, key };
  }

  async get(ref: SyncStateRef): Promise<string> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
      return await object.Body!.transformToString('utf8');
    } catch (error) {
      if (error instanceof Error && error.name === 'NoSuchKey') throw new SyncStateObjectMissingError(ref);
      throw error;
    }
  }

  async delete(ref: SyncStateRef): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  }
}
