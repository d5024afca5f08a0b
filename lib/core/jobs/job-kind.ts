// What declaring a job kind takes: its schema (the type is inferred from it), the use case that
// runs it and the queue's message group. The registry (registry.ts) lists every kind once.
import type * as z from 'zod/mini';
import type { CoreDeps, PageContext } from '../deps.js';
import type { FanOutOutcome, PageOutcome } from '../outcome.js';

/** What running any job returns; a fan-out tick says so in `type`. */
export type JobOutcome = PageOutcome | (FanOutOutcome & { type: 'fanout' });

export interface JobKind<Schema extends z.ZodMiniType<{ type: string }>> {
  schema: Schema;
  run(deps: CoreDeps, job: z.infer<Schema>, context: PageContext): Promise<JobOutcome>;
  /**
   * The SQS message group (fair queues): jobs of one mailbox share a group so that one noisy
   * mailbox cannot starve the others.
   */
  messageGroup(job: z.infer<Schema>): string;
}
