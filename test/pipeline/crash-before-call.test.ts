// Workers killed before the server call and after applying items: the mirror still converges.
import { describe, it } from 'vitest';
import { useLocalAws } from '../support/local-aws.js';
import { runCrashScenario } from './crash-scenario.js';

const aws = useLocalAws();

describe('a worker killed mid-page', () => {
  it('before the EWS call', () => runCrashScenario(aws, 'before-server-call'), 120_000);
  it('after applying the items', () => runCrashScenario(aws, 'after-apply'), 120_000);
});
