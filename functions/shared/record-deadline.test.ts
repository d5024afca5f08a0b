import { describe, expect, it } from 'vitest';
import { RecordUnfinishedError, STOP_BEFORE_TIMEOUT_MS, settleBeforeDeadline } from './record-deadline.js';

const records = [{ messageId: 'quick' }, { messageId: 'slow' }, { messageId: 'stubborn' }];

/** Ends at once, ends when told to stop, or never ends. */
function work(record: { messageId: string }, signal: AbortSignal): Promise<void> {
  if (record.messageId === 'quick') return Promise.resolve();
  if (record.messageId === 'slow')
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
  return new Promise(() => {});
}

describe('settleBeforeDeadline', () => {
  it('answers before the timeout: finished records succeed, stopped ones fail as they ended, the rest as unfinished', async () => {
    const deadline = Date.now() + STOP_BEFORE_TIMEOUT_MS + 200;
    const settled = await settleBeforeDeadline(
      records,
      () => deadline - Date.now(),
      new AbortController().signal,
      work,
    );
    expect(settled[0]).toEqual({ status: 'fulfilled', value: undefined });
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: { message: 'aborted' } });
    expect(settled[2]).toMatchObject({ status: 'rejected' });
    expect((settled[2] as PromiseRejectedResult).reason).toBeInstanceOf(RecordUnfinishedError);
  });

  it('stops the records when the invocation is aborted (middy), whatever time is left', async () => {
    const invocation = new AbortController();
    const settling = settleBeforeDeadline(records.slice(0, 2), () => 600_000, invocation.signal, work);
    invocation.abort();
    const settled = await settling;
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected']);
  });

  it('waits for every record when there is time', async () => {
    const settled = await settleBeforeDeadline(
      [{ messageId: 'a' }, { messageId: 'b' }],
      () => 600_000,
      new AbortController().signal,
      async () => {},
    );
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
  });
});
