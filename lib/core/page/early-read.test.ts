// The read ahead's mailbox read starts when the answer before it begins to arrive, and stands for
// "the read right before the call" only while it is fresh.
import { describe, expect, it } from 'vitest';
import type { CoreDeps, InlineChain } from '../deps.js';
import type { Mailbox } from '../model.js';
import { MAILBOX_A as A, oneFolder } from '../testing/one-folder.js';
import { ManualClock } from '../testing/random.js';
import { EARLY_READ_FRESH_MS, earlyReadOnAnswer, expectAnswer, mailboxForCall } from './early-read.js';

function world() {
  const clock = new ManualClock();
  let reads = 0;
  const mailbox = { mailboxId: A } as Mailbox;
  const deps = {
    clock,
    registry: {
      get: async () => {
        reads++;
        return mailbox;
      },
    },
  } as unknown as CoreDeps;
  const chain: InlineChain = { deliveredJobId: 'job-1', pages: 1, awaitingAnswer: true };
  return { clock, deps, chain, reads: () => reads };
}

describe('the early mailbox read', () => {
  it('stands for the read before a call issued within the window: one read, not two', async () => {
    const { deps, chain, reads, clock } = world();
    earlyReadOnAnswer(deps, chain, A)!();
    clock.advance(EARLY_READ_FRESH_MS);
    expect(await mailboxForCall(deps, chain, A)).toMatchObject({ mailboxId: A });
    expect(reads()).toBe(1);
    expect(chain.earlyRead).toBeUndefined();
  });

  it('is read again when it went stale; after three in a row, the run starts no more', async () => {
    const { deps, chain, reads, clock } = world();
    for (const stale of [1, 2, 3]) {
      earlyReadOnAnswer(deps, chain, A)!();
      clock.advance(EARLY_READ_FRESH_MS + 1);
      await mailboxForCall(deps, chain, A);
      expect(reads()).toBe(2 * stale);
    }
    expect(earlyReadOnAnswer(deps, chain, A)).toBeUndefined();
  });

  it('counts stale reads in a row: a fresh one between starts the count again', async () => {
    const { deps, chain, clock } = world();
    for (const wait of [21, 21, 0, 21, 21]) {
      earlyReadOnAnswer(deps, chain, A)!();
      clock.advance(wait);
      await mailboxForCall(deps, chain, A);
    }
    expect(earlyReadOnAnswer(deps, chain, A)).toBeDefined();
  });

  it('starts only while a page waits for the answer (not for one read ahead while it writes)', () => {
    const { deps, chain, reads } = world();
    chain.awaitingAnswer = false;
    earlyReadOnAnswer(deps, chain, A)!();
    expect(reads()).toBe(0);
    expect(chain.earlyRead).toBeUndefined();
  });

  it("is not another mailbox's: a read for a call to B is B's own", async () => {
    const { deps, chain, reads } = world();
    earlyReadOnAnswer(deps, chain, A)!();
    await mailboxForCall(deps, chain, 'b@contoso.test');
    expect(reads()).toBe(2);
  });

  it('for an answer that came while its page still wrote, starts with the wait for it', () => {
    const { deps, chain, reads } = world();
    chain.awaitingAnswer = false;
    earlyReadOnAnswer(deps, chain, A)!();
    expect(reads()).toBe(0);
    expectAnswer(deps, chain, A);
    expect(reads()).toBe(1);
    expect(chain.earlyRead?.mailboxId).toBe(A);
    // Once: a second wait finds no answer left unread.
    expectAnswer(deps, chain, A);
    expect(reads()).toBe(1);
  });

  it('needs a run of pages: a single delivery starts none', () => {
    const { deps } = world();
    expect(earlyReadOnAnswer(deps, undefined, A)).toBeUndefined();
  });

  it('along an inline chain: started before the write that precedes the call it serves', async () => {
    const { h, folderId, start } = await oneFolder({ config: { pagesPerInvocation: 4 } }, 25);
    const events: string[] = [];
    const get = h.registry.get.bind(h.registry);
    h.registry.get = (mailboxId) => {
      events.push('read');
      return get(mailboxId);
    };
    const replace = h.cursors.replace.bind(h.cursors);
    h.cursors.replace = (expected, next, owner) => {
      events.push('write');
      return replace(expected, next, owner);
    };
    const syncItems = h.server.syncItems.bind(h.server);
    h.server.syncItems = async (request) => {
      const onAnswer = () => {
        events.push('answer');
        request.onAnswer?.();
      };
      const page = await syncItems({ ...request, onAnswer });
      events.push('page');
      return page;
    };
    const outcomes = await h.deliver(await start());
    expect(outcomes.map((o) => o.outcome)).toEqual(['advanced', 'advanced', 'completed']);
    // The first page is a chain's first (hop 0, no lane): its answer starts no early read. The
    // second page's answer, read ahead, came while the first page wrote: its early read starts
    // with the first page's advance, before that write, and the third page's read ahead uses it
    // (no read of its own between those writes and its answer).
    const nth = (event: string, n: number) =>
      events.reduce((at, e, i) => (e === event && --n === 0 ? i : at), -1);
    const between = events.slice(nth('page', 2), nth('answer', 3));
    expect(between.indexOf('read')).toBeGreaterThan(-1);
    expect(between.indexOf('read')).toBeLessThan(between.indexOf('write'));
    expect(between.filter((e) => e === 'read')).toHaveLength(1);
    expect(await h.mirrored(A, folderId)).toEqual(h.onServer(A, folderId));
  });
});
