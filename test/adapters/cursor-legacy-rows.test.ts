// DynamoCursorStore over cursor rows written before folder facts had a writer of their own: a
// stopped folder said so in its page status (`gone`/`excluded`, the reason in statusReason) and
// its kind and well-known name were EWS attributes (folderClass, distinguishedId). Such rows read
// as today's shape, stay stopped against a page's write, and move to today's shape when the
// hierarchy writes their facts or resumes them.
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { toAttributeMap } from '../../lib/adapters/dynamodb/attribute-value.js';
import { DynamoCursorStore } from '../../lib/adapters/dynamodb/dynamo-cursor-store.js';
import type { Cursor } from '../../lib/core/model.js';
import { StaleCursorError } from '../../lib/core/ports.js';
import { useLocalAws } from '../support/local-aws.js';
import { testCursor } from '../support/store-fixtures.js';

const local = useLocalAws();

async function legacyRow(fields: Record<string, unknown>) {
  const { cursorTable } = await local.tables();
  const row = { ...testCursor({ version: 7, updatedAt: 500 }), ...fields };
  await local.clients.dynamodb.send(
    new PutItemCommand({
      TableName: cursorTable,
      Item: { ...toAttributeMap(row), pk: { S: row.mailboxId }, sk: { S: row.folderId } },
    }),
  );
  const store = new DynamoCursorStore(local.clients.dynamodb, cursorTable);
  const raw = async () =>
    (
      await local.clients.dynamodb.send(
        new GetItemCommand({
          TableName: cursorTable,
          Key: { pk: { S: row.mailboxId }, sk: { S: row.folderId } },
          ConsistentRead: true,
        }),
      )
    ).Item!;
  return { store, raw, cursorTable, mailboxId: row.mailboxId, folderId: row.folderId };
}

describe('DynamoCursorStore: rows of the shape before folder facts', () => {
  it('reads a gone row as stopped and closed at its version, and refuses a page write on it', async () => {
    const { store, mailboxId, folderId } = await legacyRow({
      status: 'gone',
      statusReason: 'FolderDeleted',
      folderClass: 'IPF.Note',
      syncState: 'S',
    });
    const read = (await store.get(mailboxId, folderId))!;
    expect(read).toMatchObject({
      status: 'idle',
      stop: { reason: 'gone', code: 'FolderDeleted', at: 500, closedAtVersion: 7 },
      folderKind: 'mail',
    });
    expect(read).not.toHaveProperty('statusReason');
    const advance: Cursor = { ...read, stop: undefined, version: 8, syncState: 'S2' };
    await expect(store.replace({ ...read, stop: undefined }, advance)).rejects.toBeInstanceOf(
      StaleCursorError,
    );
    expect(await store.get(mailboxId, folderId)).toEqual(read);
  });

  it('an excluded row keeps reading stopped after a facts write, which stores the facts in their new shape', async () => {
    const { store, raw, mailboxId, folderId } = await legacyRow({
      status: 'excluded',
      statusReason: 'ExcludedByFilter',
      folderClass: 'IPF.Appointment',
      distinguishedId: 'calendar',
    });
    const read = (await store.get(mailboxId, folderId))!;
    expect(read).toMatchObject({
      stop: { reason: 'excluded' },
      folderKind: 'calendar',
      wellKnownName: 'calendar',
    });
    await store.writeFacts(read, { ...read, displayName: 'Calendar', factsRevision: 1 });
    const after = await store.get(mailboxId, folderId);
    expect(after).toEqual({ ...read, displayName: 'Calendar', factsRevision: 1 });
    const row = await raw();
    expect(row.folderClass).toBeUndefined();
    expect(row.stop?.M?.reason).toEqual({ S: 'excluded' });

    // And a resume lifts it for good: no legacy status left to read as a stop.
    const resumed: Cursor = { ...after!, stop: undefined, version: 9, factsRevision: 2 };
    await store.resume(after!, resumed);
    expect(await store.get(mailboxId, folderId)).toEqual(resumed);
    expect((await raw()).status).toEqual({ S: 'idle' });
  });

  it('resumes a gone row that no facts write has touched', async () => {
    const { store, mailboxId, folderId } = await legacyRow({ status: 'gone', statusReason: 'FolderDeleted' });
    const read = (await store.get(mailboxId, folderId))!;
    const resumed: Cursor = { ...read, stop: undefined, version: 9, generation: 1, factsRevision: 1 };
    await store.resume(read, resumed);
    expect(await store.get(mailboxId, folderId)).toEqual(resumed);
  });
});

describe('DynamoCursorStore: the row key is stored once', () => {
  it('writes no copy of the key, and drops the copies of an older row at its next write', async () => {
    const { store, raw, cursorTable, mailboxId, folderId } = await legacyRow({ syncState: 'S' });
    expect(await raw()).toHaveProperty('folderId');
    const read = (await store.get(mailboxId, folderId))!;
    expect(read).toMatchObject({ mailboxId, folderId });
    await store.replace(read, { ...read, version: read.version + 1, syncState: 'S2' });
    expect(await raw()).not.toHaveProperty('folderId');
    expect(await raw()).not.toHaveProperty('mailboxId');
    expect(await store.get(mailboxId, folderId)).toMatchObject({ mailboxId, folderId, syncState: 'S2' });

    const fresh = testCursor({ folderId: `${folderId}-new` });
    expect(await store.create(fresh)).toBe(true);
    const created = await local.clients.dynamodb.send(
      new GetItemCommand({
        TableName: cursorTable,
        Key: { pk: { S: mailboxId }, sk: { S: fresh.folderId } },
      }),
    );
    expect(Object.keys(created.Item!).sort()).not.toContain('folderId');
    expect(await store.get(mailboxId, fresh.folderId)).toEqual(fresh);
    const omitting = new DynamoCursorStore(local.clients.dynamodb, cursorTable, { syncState: 'omit' });
    expect(await omitting.get(mailboxId, fresh.folderId)).toMatchObject({
      mailboxId,
      folderId: fresh.folderId,
    });
  });
});
