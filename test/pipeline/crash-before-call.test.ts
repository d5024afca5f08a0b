// Workers killed before the server call and after applying items: the mirror still converges.
import { describe, it } from 'vitest';
import { useLocalAws } from '../support/local-aws.js';
import { PIPELINE_TEST_TIMEOUT_MS } from '../support/pipeline.js';
import { runCrashScenario } from './crash-scenario.js';

const aws = useLocalAws();

describe('a worker killed mid-page', { timeout: PIPELINE_TEST_TIMEOUT_MS }, () => {
  it('before the EWS call', () => runCrashScenario(aws, 'before-server-call'));
  it('after applying the items', () => runCrashScenario(aws, 'after-apply'));
});
