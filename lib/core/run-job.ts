// The worker's dispatch: one queue message, one use case.
import type { CoreDeps, PageContext } from './deps.js';
import { fanOutTick } from './fan-out-tick.js';
import type { FanOutOutcome, PageOutcome } from './outcome.js';
import type { SyncJob } from './ports.js';
import { syncFolderPage } from './sync-folder-page.js';
import { syncHierarchyPage } from './sync-hierarchy-page.js';

export type JobOutcome = PageOutcome | (FanOutOutcome & { type: 'fanout' });

export async function runSyncJob(deps: CoreDeps, job: SyncJob, context: PageContext): Promise<JobOutcome> {
  switch (job.type) {
    case 'folder':
      return syncFolderPage(deps, job, context);
    case 'hierarchy':
      return syncHierarchyPage(deps, job, context);
    case 'fanout':
      return { type: 'fanout', ...(await fanOutTick(deps, context, job)) };
  }
}
