// "The system is quiet": nothing on the queue (visible, in flight or delayed) and no invocation
// running, several times in a row. Invariant 1 is stated for that moment.
import type { SQSClient } from '@aws-sdk/client-sqs';
import { queueDepth } from '../../local/queue-depth.js';

export class NotQuietError extends Error {
  override readonly name = 'NotQuietError';
  constructor(
    readonly waitedMs: number,
    readonly lastQueueDepth: number,
  ) {
    super(`the sync did not settle within ${Math.round(waitedMs / 1000)} s (queue depth ${lastQueueDepth})`);
  }
}

export interface QuiescenceProbe {
  sqs: SQSClient;
  queueUrl: string;
  /** Invocations running now. */
  inFlight(): number;
}

export async function waitForQuiet(
  probe: QuiescenceProbe,
  options: { timeoutMs: number; intervalMs?: number; confirmations?: number; onPoll?: () => void },
): Promise<void> {
  const interval = options.intervalMs ?? 200;
  const needed = options.confirmations ?? 3;
  const started = Date.now();
  let quietPolls = 0;
  let depth = 0;
  while (quietPolls < needed) {
    await new Promise((resolve) => setTimeout(resolve, interval));
    options.onPoll?.();
    depth = await queueDepth(probe.sqs, probe.queueUrl);
    quietPolls = depth === 0 && probe.inFlight() === 0 ? quietPolls + 1 : 0;
    if (Date.now() - started > options.timeoutMs) throw new NotQuietError(Date.now() - started, depth);
  }
}
