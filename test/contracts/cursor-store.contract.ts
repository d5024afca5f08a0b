// The CursorStore contract (lib/core/ports.ts), run over every implementation: the in-memory fake
// the core tests use and the DynamoDB adapter. A fake that passes this suite can never be kinder
// than the adapter: a core bug the adapter would expose shows up in the fake-based tests too.
import { describe, expect, it } from 'vitest';
import { type Cursor, isPageField, OPTIONAL_CURSOR_FIELDS } from '../../lib/core/model.js';
import { type CursorStore, StaleCursorError } from '../../lib/core/ports.js';
import { testCursor as cursor } from '../support/store-fixtures.js';
import { factsContract } from './cursor-facts.contract.js';

/** A cursor with every optional page field set (the folder facts are the hierarchy's). */
function fullCursor(fields: Partial<Cursor> = {}): Cursor {
  return cursor({
    syncState: 'S1',
    resyncPending: true,
    lease: { owner: 'w1', jobId: 'j1', until: 5000 },
    status: 'syncing',
    doneJobId: 'j0',
    nextJobId: 'j1',
    lastError: { code: 'ErrorServerBusy', message: 'busy', at: 900 },
    statusReason: 'resync after ErrorInvalidSyncState',
    lastSyncedAt: 950,
    pages: 3,
    changesApplied: 42,
    ...fields,
  });
}

/** The folder facts, set (a facts write's). */
const FACTS = {
  displayName: 'Inbox',
  folderKind: 'mail',
  wellKnownName: 'inbox',
  parentFolderId: 'root',
} as const satisfies Partial<Cursor>;

/** Every optional page field next leaves out. */
const leftOut = (next: Cursor) =>
  OPTIONAL_CURSOR_FIELDS.filter(
    (field) => isPageField(field) && (next as unknown as Record<string, unknown>)[field] === undefined,
  );

/** The rejection a failed replace ended with (fails the test if it succeeded). */
async function rejection(write: Promise<void>): Promise<unknown> {
  try {
    await write;
  } catch (error) {
    return error;
  }
  throw new Error('replace() succeeded but was expected to fail');
}

export function cursorStoreContract(name: string, make: () => Promise<CursorStore>): void {
  describe(`CursorStore contract: ${name}`, () => {
    const read = (store: CursorStore, c: Cursor) => store.get(c.mailboxId, c.folderId);

    describe('create, get and listByMailbox', () => {
      it('creates a cursor once, and get returns exactly what was created', async () => {
        const store = await make();
        const c0 = fullCursor({ ...FACTS, syncRequestedAt: 700, factsRevision: 2 });
        expect(await store.create(c0)).toBe(true);
        expect(await store.create({ ...c0, syncState: 'other', version: 7, status: 'idle' })).toBe(false);
        expect(await read(store, c0)).toEqual(c0);
        expect(await store.get(c0.mailboxId, 'missing')).toBeUndefined();
        expect(await store.get('b@example.com', c0.folderId)).toBeUndefined();
      });

      it('stores no optional field a created cursor leaves out (undefined ones included)', async () => {
        const store = await make();
        const minimal = cursor({ syncState: undefined, lease: undefined, lastError: undefined });
        expect(await store.create(minimal)).toBe(true);
        const stored = await read(store, minimal);
        expect(stored).toEqual(minimal);
        for (const field of OPTIONAL_CURSOR_FIELDS) expect(stored).not.toHaveProperty(field);
      });

      it('of concurrent creates of one cursor exactly one wins, and its row is stored', async () => {
        const store = await make();
        const candidates = Array.from({ length: 5 }, (_, n) => cursor({ syncState: `S${n}`, updatedAt: n }));
        const created = await Promise.all(candidates.map((c) => store.create(c)));
        expect(created.filter(Boolean)).toHaveLength(1);
        expect(await read(store, candidates[0]!)).toEqual(candidates[created.indexOf(true)]);
      });

      it('lists the cursors of one mailbox, and only those', async () => {
        const store = await make();
        const f1 = cursor({ folderId: 'f1', syncState: 'S-f1' });
        const f2 = cursor({ folderId: '#hierarchy', kind: 'hierarchy' });
        const other = cursor({ mailboxId: 'b@example.com', folderId: 'f1' });
        for (const c of [f1, f2, other]) expect(await store.create(c)).toBe(true);
        const list = await store.listByMailbox('a@example.com');
        expect([...list].sort((x, y) => x.folderId.localeCompare(y.folderId))).toEqual([f2, f1]);
        expect(await store.listByMailbox('b@example.com')).toEqual([other]);
        expect(await store.listByMailbox('nobody@example.com')).toEqual([]);
      });
    });

    describe('replace', () => {
      it('succeeds at the expected version only (StaleCursorError otherwise), leaving the row as it was', async () => {
        const store = await make();
        const c0 = cursor({ syncState: 'S0' });
        await store.create(c0);
        const c2 = { ...c0, version: 2, syncState: 'S2', pages: 1 };
        await store.replace(c0, c2);
        expect(await read(store, c0)).toEqual(c2);

        // Behind the stored version, and ahead of it.
        expect(await rejection(store.replace(c0, { ...c0, version: 3 }))).toBeInstanceOf(StaleCursorError);
        expect(await rejection(store.replace({ ...c2, version: 3 }, { ...c2, version: 4 }))).toBeInstanceOf(
          StaleCursorError,
        );
        expect(await read(store, c0)).toEqual(c2);
      });

      it('refuses to replace a missing row (StaleCursorError), and does not create it', async () => {
        const store = await make();
        const missing = cursor({ folderId: 'missing' });
        const error = await rejection(store.replace(missing, { ...missing, version: 2 }));
        expect(error).toBeInstanceOf(StaleCursorError);
        expect(error).toMatchObject({
          mailboxId: missing.mailboxId,
          folderId: 'missing',
          expectedVersion: 1,
        });
        expect(await read(store, missing)).toBeUndefined();
        expect(await store.listByMailbox(missing.mailboxId)).toEqual([]);
      });

      it('with requireLeaseOwner, succeeds only while the stored lease belongs to that owner', async () => {
        const store = await make();
        const c0 = cursor({ syncState: 'S0' });
        await store.create(c0);
        // No lease at all: no owner matches.
        expect(
          await rejection(
            store.replace(c0, { ...c0, version: 2, lease: { owner: 'w1', jobId: 'j1', until: 1 } }, 'w1'),
          ),
        ).toBeInstanceOf(StaleCursorError);

        const leased: Cursor = {
          ...c0,
          version: 2,
          status: 'syncing',
          lease: { owner: 'w1', jobId: 'j1', until: 5000 },
        };
        await store.replace(c0, leased);
        const advanced: Cursor = {
          ...leased,
          version: 3,
          syncState: 'S1',
          lease: undefined,
          status: 'idle',
          pages: 1,
          doneJobId: 'j1',
        };
        expect(await rejection(store.replace(leased, advanced, 'w2'))).toBeInstanceOf(StaleCursorError);
        expect(await read(store, c0)).toEqual(leased);

        await store.replace(leased, advanced, 'w1');
        const stored = await read(store, c0);
        expect(stored).toEqual(advanced);
        expect(stored).not.toHaveProperty('lease');
      });

      it('refuses a next version that does not move forward, with a plain Error, leaving the row as it was', async () => {
        const store = await make();
        const c0 = cursor({ syncState: 'S0' });
        await store.create(c0);
        const c2 = { ...c0, version: 2 };
        await store.replace(c0, c2);
        for (const version of [2, 1, 0]) {
          const error = await rejection(store.replace(c2, { ...c2, version, syncState: 'S-back' }));
          expect(error).toBeInstanceOf(Error);
          expect(error).not.toBeInstanceOf(StaleCursorError);
          expect((error as Error).message).toMatch(/move forward/);
        }
        expect(await read(store, c0)).toEqual(c2);
      });

      it('refuses a next version that does not move forward as a caller error even when the row moved on or is missing', async () => {
        // A caller bug must not pass for a lost race (which callers drop quietly).
        const store = await make();
        const c0 = cursor();
        await store.create(c0);
        await store.replace(c0, { ...c0, version: 2 });
        const missing = cursor({ folderId: 'missing' });
        for (const [expected, next] of [
          [c0, c0],
          [c0, { ...c0, version: 0 }],
          [missing, missing],
        ] as const) {
          const error = await rejection(store.replace(expected, next));
          expect(error).not.toBeInstanceOf(StaleCursorError);
          expect((error as Error).message).toMatch(/move forward/);
        }
        expect(await read(store, missing)).toBeUndefined();
      });

      it('refuses a replace that would move the cursor to another mailbox or folder, writing nothing', async () => {
        const store = await make();
        const c0 = cursor();
        await store.create(c0);
        for (const moved of [
          { ...c0, version: 2, folderId: 'elsewhere' },
          { ...c0, version: 2, mailboxId: 'b@example.com' },
        ]) {
          const error = await rejection(store.replace(c0, moved));
          expect(error).toBeInstanceOf(Error);
          expect(error).not.toBeInstanceOf(StaleCursorError);
          expect(await read(store, moved)).toBeUndefined();
        }
        expect(await read(store, c0)).toEqual(c0);
      });

      it('refuses a writer that read the row before another writer moved it, even if it stores less (an item lost for good)', async () => {
        const store = await make();
        const v1 = cursor({ status: 'idle' });
        await store.create(v1);
        // Writer A advances from v1: a SyncState (its page's items are in the mirror), a lease, ...
        const a = fullCursor({ version: 2 });
        await store.replace(v1, a);
        // Writer B read v1 too (no SyncState) and writes a v2 without one: it must lose, or the
        // next page starts from scratch and A's items are never seen again.
        const b = {
          ...v1,
          version: 2,
          status: 'syncing' as const,
          lease: { owner: 'w2', jobId: 'j2', until: 9 },
        };
        expect(await rejection(store.replace(v1, b))).toBeInstanceOf(StaleCursorError);
        expect(await rejection(store.replace(v1, b, 'w1'))).toBeInstanceOf(StaleCursorError);
        expect(await read(store, v1)).toEqual(a);
      });

      it('stores exactly next: every field next leaves out is absent afterwards', async () => {
        const store = await make();
        const v1 = cursor();
        await store.create(v1);
        const v2 = fullCursor({ version: 2 });
        await store.replace(v1, v2);
        expect(await read(store, v1)).toEqual(v2);

        const v3: Cursor = cursor({
          version: 3,
          pages: 4,
          changesApplied: 50,
          updatedAt: 2000,
        });
        await store.replace(v2, v3);
        const stored = await read(store, v1);
        expect(stored).toEqual(v3);
        for (const field of leftOut(v3)) expect(stored).not.toHaveProperty(field);
        for (const field of [
          'syncState',
          'lease',
          'doneJobId',
          'nextJobId',
          'lastError',
          'statusReason',
          'resyncPending',
        ]) {
          expect(stored).not.toHaveProperty(field);
        }
        expect(await store.listByMailbox(v1.mailboxId)).toEqual([stored]);

        // And back: fields next sets again are stored again.
        const v4 = fullCursor({ version: 4, syncState: 'S4' });
        await store.replace(v3, v4);
        expect(await read(store, v1)).toEqual(v4);
      });

      it('stores exactly next even when the writer’s expected (at the stored version) lacks fields the row has', async () => {
        const store = await make();
        const v1 = cursor();
        await store.create(v1);
        const v2 = fullCursor({ version: 2 });
        await store.replace(v1, v2);
        // A careless writer: the right version, but none of the optional fields the row holds.
        const sparse = cursor({ version: 2 });
        const v3 = cursor({ version: 3, updatedAt: 3000 });
        await store.replace(sparse, v3);
        const stored = await read(store, v1);
        expect(stored).toEqual(v3);
        for (const field of OPTIONAL_CURSOR_FIELDS) expect(stored).not.toHaveProperty(field);
      });

      it('stores exactly next even when the writer’s expected (at the stored version) disagrees with the row', async () => {
        const store = await make();
        const v1 = cursor({ syncState: 'S-stored', displayName: 'stored' });
        await store.create(v1);
        // Same version as stored, other content (e.g. the cursor a losing create() tried to write).
        const mistaken = cursor({ syncState: 'S-mine', displayName: 'mine' });
        const v2 = { ...mistaken, version: 2 };
        await store.replace(mistaken, v2);
        // The page fields are next's; the folder facts are not a page's to write.
        expect(await read(store, v1)).toEqual({ ...v2, displayName: 'stored' });
      });

      it('of concurrent replaces from the same expected exactly one wins, the others are stale', async () => {
        const store = await make();
        const v1 = cursor({ syncState: 'S0' });
        await store.create(v1);
        const nexts = Array.from({ length: 5 }, (_, n) => ({
          ...v1,
          version: 2,
          syncState: `S-writer${n}`,
          lease: { owner: `w${n}`, jobId: `j${n}`, until: 5000 },
        }));
        const results = await Promise.allSettled(nexts.map((next) => store.replace(v1, next)));
        const won = results.flatMap((r, n) => (r.status === 'fulfilled' ? [n] : []));
        expect(won).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(StaleCursorError);
        }
        expect(await read(store, v1)).toEqual(nexts[won[0]!]);

        // The same from the winner's row, each writer moving to its own version.
        const base = nexts[won[0]!]!;
        const again = [3, 4, 5].map((version) => ({ ...base, version, lease: undefined }));
        const second = await Promise.allSettled(
          again.map((next) => store.replace(base, next, base.lease.owner)),
        );
        expect(second.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const stored = await read(store, v1);
        expect(again).toContainEqual(stored);
        expect(stored).not.toHaveProperty('lease');
      });
    });

    factsContract(make);
  });
}
