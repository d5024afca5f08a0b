import { describe, expect, it } from 'vitest';
import { InfraConfigError, parseConfig } from './config.js';
import { LEASE_MS, PROJECT_PREFIX, SYNC_QUEUE, WORKER_DEFAULTS } from './resources.js';

function issuesOf(raw: Record<string, unknown>): InfraConfigError['issues'] {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(InfraConfigError);
    return (error as InfraConfigError).issues;
  }
  throw new Error('expected an InfraConfigError');
}

describe('parseConfig', () => {
  it('defaults agree with the shared worker limits', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      tickRate: 5,
      pageSize: 512,
      maxConcurrentSyncsPerMailbox: 4,
      workerMemoryMb: WORKER_DEFAULTS.memoryMb,
      workerTimeoutSeconds: WORKER_DEFAULTS.timeoutSeconds,
      workerMaxConcurrency: WORKER_DEFAULTS.maxConcurrency,
      secretPrefix: PROJECT_PREFIX,
      visibilityTimeoutSeconds: SYNC_QUEUE.visibilityTimeoutSeconds,
      leaseSeconds: LEASE_MS / 1000,
    });
    expect(config.alarmEmail).toBeUndefined();
  });

  it('accepts strings as `cdk deploy -c key=value` passes them, and derives timeouts', () => {
    const config = parseConfig({
      tickRate: '10',
      workerTimeoutSeconds: '120',
      alarmEmail: 'ops@example.com',
    });
    expect(config).toMatchObject({
      tickRate: 10,
      workerTimeoutSeconds: 120,
      visibilityTimeoutSeconds: 720,
      leaseSeconds: 150,
      alarmEmail: 'ops@example.com',
    });
  });

  it('treats an empty alarmEmail as none', () => {
    expect(parseConfig({ alarmEmail: '' }).alarmEmail).toBeUndefined();
  });

  it('names every bad key with the value it got', () => {
    const issues = issuesOf({
      tickRate: '0',
      pageSize: 1000,
      workerTimeoutSeconds: 'soon',
      workerMaxConcurrency: 1,
      alarmEmail: 'not-an-address',
      secretPrefix: '/exchange-sync/',
    });
    expect(issues.map((i) => i.key).sort()).toEqual([
      'alarmEmail',
      'pageSize',
      'secretPrefix',
      'tickRate',
      'workerMaxConcurrency',
      'workerTimeoutSeconds',
    ]);
    expect(issues.find((i) => i.key === 'pageSize')?.message).toMatch(/512.*\(got 1000\)/);
  });

  it('rejects a worker timeout beyond what Lambda allows', () => {
    expect(issuesOf({ workerTimeoutSeconds: 901 }).map((i) => i.key)).toEqual(['workerTimeoutSeconds']);
  });

  it('tells the user how to fix it', () => {
    expect(() => parseConfig({ tickRate: -1 })).toThrow(/tickRate: .*cdk deploy -c tickRate=<value>/);
  });
});
