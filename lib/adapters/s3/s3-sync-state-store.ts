import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { mapWithConcurrency } from '../../core/map-with-concurrency.js';
import { ForeignStateNameError, type StoredStateEraser } from '../../core/operator/erasure-ports.js';

// The commands are imported on first use: a static import of the S3 client package costs about
// 70 ms of every cold start (bundlers hoist it), and almost no SyncState is ever spilled.
const commands = () => import('@aws-sdk/client-s3');

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
/** Where SyncStates too large for a DynamoDB item go (the cursor store needs only these). */
export interface SyncStateSpill {
  put(mailboxId: string, folderId: string, version: number, syncState: string): Promise<SyncStateRef>;
  get(ref: SyncStateRef): Promise<string>;
  delete(ref: SyncStateRef): Promise<void>;
}

/** Every object of a mailbox starts so (the encoding leaves no '/' inside the address). */
const prefixOf = (mailboxId: string) => `${encodeURIComponent(mailboxId)}/`;

/** Deletes in flight at once when erasing a mailbox's states. */
const DELETE_CONCURRENCY = 8;

export class S3SyncStateStore implements SyncStateSpill, StoredStateEraser {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(mailboxId: string, folderId: string, version: number, syncState: string): Promise<SyncStateRef> {
    // Folder ids are base64 and contain '/', '+' and '='.
    const key = `${prefixOf(mailboxId)}${encodeURIComponent(folderId)}/${version}-${randomUUID()}`;
    const { PutObjectCommand } = await commands();
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: syncState, ContentType: 'text/plain' }),
    );
    return { bucket: this.bucket, key };
  }

  async get(ref: SyncStateRef): Promise<string> {
    try {
      const { GetObjectCommand } = await commands();
      const object = await this.client.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
      return await object.Body!.transformToString('utf8');
    } catch (error) {
      if (error instanceof Error && error.name === 'NoSuchKey') throw new SyncStateObjectMissingError(ref);
      throw error;
    }
  }

  async delete(ref: SyncStateRef): Promise<void> {
    const { DeleteObjectCommand } = await commands();
    await this.client.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  }

  /** Object keys under the mailbox's prefix (operator-only: the worker's role may not list). */
  async listStates(mailboxId: string): Promise<string[]> {
    const { ListObjectsV2Command } = await commands();
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefixOf(mailboxId),
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys.sort();
  }

  async deleteStates(mailboxId: string, names: readonly string[]): Promise<void> {
    const foreign = names.find((name) => !name.startsWith(prefixOf(mailboxId)));
    if (foreign !== undefined) throw new ForeignStateNameError(mailboxId, foreign);
    // One DeleteObject each, the call the worker already makes (a missing key succeeds): a
    // mailbox has few spilled states, so batching would save little.
    await mapWithConcurrency(names, DELETE_CONCURRENCY, (key) => this.delete({ bucket: this.bucket, key }));
  }
}
