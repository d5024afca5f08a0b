// Workers killed after advancing the cursor and after sending the follow-up: the redelivered job
// re-sends the follow-up or finds its page done; the mirror still converges.
import { describe, it } from 'vitest';
import { useLocalAws } from '../support/local-aws.js';
import { runCrashScenario } from './crash-scenario.js';

const aws = useLocalAws();

describe('a worker killed mid-page', () => {
  it('after advancing a folder cursor', () => runCrashScenario(aws, 'after-advance', 'folder'), 120_000);
  it('after sending the follow-up', () => runCrashScenario(aws, 'after-follow-up'), 120_000);

  // BUG (reported to the lead): a hierarchy page killed after its completing advance never starts
  // the folder chains of that tick. The redelivered hierarchy job finds doneJobId === its jobId
  // but no nextJobId and status idle, so decideOwnership calls it stale and drops it; the folders
  // wait for the next tick (lib/core/leased-page.ts, afterComplete is not re-run on redelivery).
  it.skip(
    'after the completing advance of a hierarchy page',
    () => runCrashScenario(aws, 'after-advance', 'hierarchy'),
    120_000,
  );
});
