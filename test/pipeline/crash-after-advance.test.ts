// Workers killed after advancing the cursor and after sending the follow-up: the redelivered job
// re-sends the follow-up or finds its page done; the mirror still converges.
import { describe, it } from 'vitest';
import { useLocalAws } from '../support/local-aws.js';
import { PIPELINE_TEST_TIMEOUT_MS } from '../support/pipeline.js';
import { runCrashScenario } from './crash-scenario.js';

const aws = useLocalAws();

describe('a worker killed mid-page', { timeout: PIPELINE_TEST_TIMEOUT_MS }, () => {
  it('after advancing a folder cursor', () => runCrashScenario(aws, 'after-advance', 'folder'));
  it('after sending the follow-up', () => runCrashScenario(aws, 'after-follow-up'));

  // The redelivered hierarchy job finds its chain complete and starts the folder chains again
  // (decideOwnership: redo-completion); it used to be dropped as stale, leaving the tick's folders
  // unsynced until the next tick.
  it('after the completing advance of a hierarchy page', () =>
    runCrashScenario(aws, 'after-advance', 'hierarchy'));
});
