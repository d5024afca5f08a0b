// A hierarchy job: one page of a mailbox's folder tree changes, from whichever source serves it.
import * as z from 'zod/mini';
import { syncHierarchyPage } from '../hierarchy/sync-hierarchy-page.js';
import { pageJobFields } from './job-fields.js';
import type { JobKind } from './job-kind.js';

const schema = z.strictObject({ ...pageJobFields, type: z.literal('hierarchy') });

export type HierarchyJob = z.infer<typeof schema>;

export const hierarchyJobKind: JobKind<typeof schema> = {
  schema,
  run: syncHierarchyPage,
  messageGroup: (job) => job.mailboxId,
};
