// The worker's own deadline for a batch. middy's early timeout would fail the whole batch, the
// records already finished included (SQS would deliver them again), and leave the unfinished
// pages' leases to expire into full folder resyncs. Instead, a little before the Lambda timeout
// the records' signal aborts (their server calls end and they release their leases cleanly, given
// a short grace), and only the records still unfinished after that are reported as failures.

/** How long before the Lambda timeout the records are told to stop. */
export const STOP_BEFORE_TIMEOUT_MS = 3_000;
/** How long stopped records get to release their leases before the batch is answered. */
export const STOP_GRACE_MS = 1_000;

export class RecordUnfinishedError extends Error {
  override readonly name = 'RecordUnfinishedError';
  constructor(readonly messageId: string) {
    super(`record ${messageId} did not finish before the invocation's deadline`);
  }
}

/**
 * Runs `work` for every record with a signal that aborts when `signal` does or when only
 * STOP_BEFORE_TIMEOUT_MS remain, and settles each record: finished ones as they ended, the ones
 * still running after the grace as RecordUnfinishedError.
 */
export async function settleBeforeDeadline<R extends { messageId: string }>(
  records: readonly R[],
  remainingMs: () => number,
  signal: AbortSignal,
  work: (record: R, signal: AbortSignal) => Promise<void>,
): Promise<PromiseSettledResult<void>[]> {
  const deadline = new AbortController();
  const recordSignal = AbortSignal.any([signal, deadline.signal]);
  const results: (PromiseSettledResult<void> | undefined)[] = records.map(() => undefined);
  const all = Promise.all(
    records.map((record, i) =>
      work(record, recordSignal).then(
        (value) => {
          results[i] = { status: 'fulfilled', value };
        },
        (reason: unknown) => {
          results[i] = { status: 'rejected', reason };
        },
      ),
    ),
  );
  const timers: NodeJS.Timeout[] = [];
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      deadline.abort(new Error('the invocation is about to time out'));
      timers.push(setTimeout(resolve, STOP_GRACE_MS));
    };
    if (recordSignal.aborted) stop();
    else recordSignal.addEventListener('abort', stop, { once: true });
    timers.push(setTimeout(stop, Math.max(0, remainingMs() - STOP_BEFORE_TIMEOUT_MS)));
  });
  await Promise.race([all, stopped]);
  for (const timer of timers) clearTimeout(timer);
  return records.map(
    (record, i) => results[i] ?? { status: 'rejected', reason: new RecordUnfinishedError(record.messageId) },
  );
}
