// Property test of the whole protocol. fast-check drives a schedule against the use cases on the
// contract-tested fakes (testing/property/world.ts): the server changes at any time (creates,
// updates, read flags, deletes, moves, folder changes; the filter leaves folders out and takes
// them back), messages are delivered out of order and
// twice (also concurrently), invocations are killed or frozen at any port call and frozen pages
// thaw later (after their lease expired and another worker took over), faults of any kind hit any
// server operation (GetFolder included), and fc.scheduler chooses the interleaving at every port
// call and between the mirror's row writes. Invariants are checked as the run goes; after the
// faults stop, the mirror must equal the server within a bounded number of quiet rounds.
//
// CI runs a small size; a nightly run sets FC_RUNS (and FC_MAILBOXES, FC_FOLDERS, FC_ITEMS,
// FC_COMMANDS): `npm run test:property:nightly`. FC_SEED replays one seed. Half the runs take a
// chain's pages in a row with reads ahead (pagesPerInvocation 4); FC_PAGES_PER_INVOCATION fixes it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { factFieldsOf, pageFieldsOf } from './cursor-write.js';
import { canonical } from './mirror/mirror-rules.js';
import type { Cursor } from './model.js';
import { command, propertySizes } from './testing/property/commands.js';
import { World } from './testing/property/world.js';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261130;
const numRuns = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : 300;
const sizes = propertySizes();
// One page per delivery, or a chain's pages in a row with reads ahead (the deployed default),
// half the runs each unless FC_PAGES_PER_INVOCATION fixes it.
const pagesPerInvocation =
  process.env.FC_PAGES_PER_INVOCATION === undefined
    ? fc.constantFrom(1, 4)
    : fc.constant(sizes.pagesPerInvocation);
const inlineRuns = process.env.FC_PAGES_PER_INVOCATION === undefined || sizes.pagesPerInvocation > 1;

/**
 * Every cursor write moves its own revision forward and leaves the other writer's fields as they
 * were: a page's write (and a create, a resume) strictly increases the version; a facts write
 * keeps the version and the page fields and strictly increases the facts revision; a push's
 * request moves neither and changes nothing else.
 */
function writesInTheirOwnFields(world: World): string[] {
  const { history, historyKinds } = world.h.cursors;
  const last = new Map<string, Cursor>();
  const found: string[] = [];
  const same = (a: object, b: object) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
  history.forEach((row, i) => {
    const key = `${row.mailboxId}/${row.folderId}`;
    const kind = historyKinds[i]!;
    const before = last.get(key);
    last.set(key, row);
    if (!before) return;
    const facts = (c: Cursor) => c.factsRevision ?? 0;
    const wrong = (why: string) => found.push(`${key} ${kind} #${i}: ${why}`);
    if (kind === 'page' || kind === 'resume' || kind === 'create') {
      if (row.version <= before.version) wrong(`version ${before.version} -> ${row.version}`);
    } else if (row.version !== before.version) wrong(`version moved ${before.version} -> ${row.version}`);
    if (kind === 'page' && !same(factFieldsOf(row), factFieldsOf(before))) wrong('facts changed');
    if (kind === 'facts' || kind === 'resume') {
      if (facts(row) <= facts(before)) wrong(`facts revision ${facts(before)} -> ${facts(row)}`);
    } else if (facts(row) !== facts(before)) wrong('facts revision moved');
    if (kind === 'facts' && !same(pageFieldsOf(row), pageFieldsOf(before))) wrong('page fields changed');
    if (kind === 'request-sync' && !same({ ...row, syncRequestedAt: 0 }, { ...before, syncRequestedAt: 0 }))
      wrong('more than the request changed');
  });
  return found;
}

/** What the schedules exercised, over all runs: the test fails if it stops exercising something. */
const seen = new Map<string, number>();
const count = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);

describe('the sync protocol under crashes, frozen pages, duplicates, reordering and faults', () => {
  // About 30-60 ms a schedule on this machine at the default size; bigger sizes take longer.
  const timeout = Math.max(60_000, numRuns * 250 * (sizes.commands / 150) * sizes.mailboxes);
  it('keeps every invariant as it goes and converges to the server once the faults stop', {
    timeout,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(command, { minLength: 20, maxLength: sizes.commands, size: 'large' }),
        pagesPerInvocation,
        async (s, commands, pages) => {
          const world = new World(s, { ...sizes, pagesPerInvocation: pages }, count);
          await world.setup();
          await world.run({ k: 'tick' });
          for (const cmd of commands) await world.run(cmd);
          const { rounds, allowed } = await world.quiesce();
          expect(world.violations).toEqual([]);
          if (rounds > allowed) {
            const why = (await world.differences()).join('\n');
            expect.fail(`not converged in ${allowed} quiet rounds (took ${rounds}):\n${why}`);
          }
          expect(await world.liveUnderGone()).toEqual([]);
          for (const m of world.mailboxes) expect(world.h.registry.mailboxes.get(m)!.status).toBe('enabled');
          expect(writesInTheirOwnFields(world)).toEqual([]);
        },
      ),
      // FC_NO_SHRINK=1 reports the first failing schedule as found (shrinking a long one is slow).
      { numRuns, seed, endOnFailure: process.env.FC_NO_SHRINK === '1' },
    );
    if (process.env.FC_SEED) return;
    const exercised = [
      'folder:advanced',
      'folder:completed',
      'folder:resync',
      'folder:throttled',
      'folder:backed-off',
      'folder:retrying',
      'folder:duplicate',
      'folder:resent-follow-up',
      'folder:gone',
      'folder:no-slot',
      'start:lane',
      'folder:dropped-stale',
      'folder:lease-lost',
      'hierarchy:advanced',
      'hierarchy:completed',
      // Folders left out by the filter and selected again (stopped, closed, resumed).
      'filter:narrow',
      'filter:wide',
      'killed-before',
      'killed-after',
      'frozen-before',
      'frozen-after',
      'timed-out-frozen',
      'thawed',
      'fault:resolve:throttled',
      'fault:syncHierarchy:throttled',
      'in-flight:2',
      // Pages run after another page of the same invocation (FC_PAGES_PER_INVOCATION > 1).
      ...(inlineRuns ? ['inline', 'read-ahead'] : []),
    ];
    expect(exercised.filter((key) => !seen.has(key))).toEqual([]);
  });
});
