// A fan-out job: the rest of a tick's registry scan, when the scheduler ran short of time.
import * as z from 'zod/mini';
import { fanOutTick } from '../schedule/fan-out-tick.js';
import { count, id, pageToken } from './job-fields.js';
import type { JobKind } from './job-kind.js';

const schema = z.strictObject({
  v: z.literal(1),
  type: z.literal('fanout'),
  jobId: id,
  /** Registry page token to continue from. */
  next: pageToken,
  /** The tick's start (epoch ms), so a continuation uses the same notion of "due". */
  tickAt: count,
  hop: count,
});

export type FanOutJob = z.infer<typeof schema>;

export const fanOutJobKind: JobKind<typeof schema> = {
  schema,
  run: async (deps, job, context) => ({ type: 'fanout', ...(await fanOutTick(deps, context, job)) }),
  // Scans belong to no mailbox; their own group keeps them from waiting behind one.
  messageGroup: () => '#fanout',
};
