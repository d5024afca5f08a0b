// The sync property over real HTTP: random mutation batches interleaved with SyncFolderItems
// pages of random size, read with the project's parser. Replaying the pages must reproduce the
// folder exactly, and no change may be lost or repeated across page boundaries.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../simulator/server.js';
import { syncItems } from './ews-http.js';

const SMTP = 'user1@contoso.test';

let run: RunningSimulator;
beforeAll(async () => {
  run = await startSimulator({ seed: 31, mailboxes: 1, foldersPerMailbox: 2, itemsPerMailbox: 60 });
});
afterAll(() => run.close());

type Step = { t: 'mutate'; count: number; seed: number } | { t: 'page'; size: number };

describe('sync over HTTP (property)', () => {
  it('replaying pages reproduces the folder exactly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({
              t: fc.constant('mutate' as const),
              count: fc.integer({ min: 1, max: 8 }),
              seed: fc.integer(),
            }),
            fc.record({ t: fc.constant('page' as const), size: fc.integer({ min: 1, max: 25 }) }),
          ),
          { maxLength: 25 },
        ),
        fc.constantFrom('inbox', 'sentitems', 'calendar'),
        async (steps: Step[], folder) => {
          const client = new Map<string, string>();
          let syncState: string | undefined;
          const page = async (size: number) => {
            const result = await syncItems(run, {
              folder: { distinguishedId: folder },
              shape: { baseShape: 'IdOnly' },
              maxChangesReturned: size,
              impersonateSmtpAddress: SMTP,
              ...(syncState ? { syncState } : {}),
            });
            for (const change of result.changes) {
              const known = client.get(change.itemId);
              if (change.kind === 'create') expect(known).toBeUndefined();
              else expect(known).toBeDefined();
              if (change.kind === 'delete') client.delete(change.itemId);
              else {
                expect(change.changeKey).not.toBe(known);
                client.set(change.itemId, change.changeKey!);
              }
            }
            syncState = result.syncState;
            return result.includesLastItemInRange;
          };
          for (const step of steps) {
            if (step.t === 'mutate')
              run.sim.mutate({
                count: step.count,
                seed: step.seed,
                weights: { deleteFolder: 0, moveFolder: 0 },
              });
            else await page(step.size);
          }
          for (let guard = 0; !(await page(7)); guard++) expect(guard).toBeLessThan(500);
          const truth = new Map(run.sim.items(SMTP, folder).map((i) => [i.id, i.changeKey]));
          expect(new Map([...client].sort())).toEqual(new Map([...truth].sort()));
        },
      ),
      { numRuns: 12 },
    );
  });
});
