import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../lib/settings/index.js';
import { cdkJsonContextKeys, InfraConfigError, isForeignContextKey, parseConfig } from './config.js';
import { ENV, LEASE_MS, PROJECT_PREFIX, SYNC_QUEUE, WORKER_DEFAULTS } from './resources.js';

function issuesOf(raw: Record<string, unknown>, alsoAllowed: string[] = []): InfraConfigError['issues'] {
  try {
    parseConfig(raw, alsoAllowed);
  } catch (error) {
    expect(error).toBeInstanceOf(InfraConfigError);
    return (error as InfraConfigError).issues;
  }
  throw new Error('expected an InfraConfigError');
}

/** What `cdk synth` passes besides the user's keys (captured from the CLI, aws-cdk 2.1148). */
const CDK_CLI_CONTEXT = {
  'cli-telemetry': false,
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:version-reporting': true,
  'aws:cdk:bundling-stacks': ['**'],
  '@aws-cdk/core:failSynthOnValidationErrors': false,
};

describe('parseConfig', () => {
  it('defaults agree with the shared worker limits', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      tickRate: 5,
      syncIntervalMinutes: 15,
      maxHops: 500,
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
    expect(LEASE_MS).toBe(SETTINGS.leaseMs.default);
  });

  it("names the settings' variables as infra/resources.ts's ENV does", () => {
    const envOf = {
      syncIntervalMinutes: ENV.syncIntervalMinutes,
      pageSize: ENV.defaultPageSize,
      maxConcurrentSyncsPerMailbox: ENV.maxConcurrentSyncsPerMailbox,
      maxHops: ENV.maxHops,
      secretPrefix: ENV.secretPrefix,
      leaseMs: ENV.leaseMs,
    };
    for (const [name, variable] of Object.entries(envOf)) {
      expect(SETTINGS[name as keyof typeof envOf].env, name).toBe(variable);
    }
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

  it('takes a KMS key ARN as encryptionKeyArn, and refuses an alias, a key id or another service', () => {
    const arn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(parseConfig({ encryptionKeyArn: arn }).encryptionKeyArn).toBe(arn);
    const multiRegion =
      'arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab';
    expect(parseConfig({ encryptionKeyArn: multiRegion }).encryptionKeyArn).toBe(multiRegion);
    expect(parseConfig({ encryptionKeyArn: '' }).encryptionKeyArn).toBeUndefined();
    for (const bad of [
      'arn:aws:kms:eu-west-1:123456789012:alias/exchange-sync',
      '1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:s3:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    ]) {
      expect(
        issuesOf({ encryptionKeyArn: bad }).map((i) => i.key),
        bad,
      ).toEqual(['encryptionKeyArn']);
    }
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

describe('unknown context keys', () => {
  it('are refused with the list of valid keys, and a near miss is named', () => {
    const error = (() => {
      try {
        parseConfig({ alarmemail: 'ops@example.com', tickrat: 5 });
      } catch (e) {
        return e as InfraConfigError;
      }
      throw new Error('accepted');
    })();
    expect(error).toBeInstanceOf(InfraConfigError);
    expect(error.issues).toEqual([
      {
        key: 'alarmemail',
        kind: 'unknown',
        message: `not a setting of ${PROJECT_PREFIX} (did you mean alarmEmail?)`,
      },
      { key: 'tickrat', kind: 'unknown', message: `not a setting of ${PROJECT_PREFIX}` },
    ]);
    expect(error.message).toContain(
      'Valid keys: tickRate, syncIntervalMinutes, pageSize, maxConcurrentSyncsPerMailbox, workerMemoryMb, ' +
        'workerTimeoutSeconds, workerMaxConcurrency, maxHops, ewsThrottleAlarmThreshold, alarmEmail, secretPrefix',
    );
    expect(error.message).not.toContain('cdk deploy -c alarmemail');
  });

  it("are reported beside bad values, and a bad value's key is not called unknown", () => {
    const issues = issuesOf({ maxHops: 0, maxhops: 10 });
    expect(issues.map((i) => [i.key, i.kind])).toEqual([
      ['maxHops', 'invalid'],
      ['maxhops', 'unknown'],
    ]);
  });

  it("leave the CDK's own keys, cached lookups and cdk.json's keys alone", () => {
    const cdkJson = cdkJsonContextKeys();
    expect(cdkJson).toContain('cli-telemetry');
    const config = parseConfig(
      {
        ...CDK_CLI_CONTEXT,
        'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a'],
        'cdk-toolkit-setting': 1,
        '@aws-cdk-containers/ecs-service-extensions:enableDefaultLogDriver': true,
        alarmEmail: 'ops@example.com',
      },
      cdkJson,
    );
    expect(config.alarmEmail).toBe('ops@example.com');
    // cli-telemetry is neither ours nor shaped like the CDK's: only cdk.json makes it known.
    expect(issuesOf(CDK_CLI_CONTEXT).map((i) => i.key)).toEqual(['cli-telemetry']);
  });

  it('tells ours from foreign keys by shape', () => {
    for (const key of [
      '@aws-cdk/core:newStyleStackSynthesis',
      'aws:cdk:bundling-stacks',
      'cdk-foo',
      'hosted-zone:x',
    ])
      expect(isForeignContextKey(key), key).toBe(true);
    for (const key of Object.keys(parseConfig({}))) expect(isForeignContextKey(key), key).toBe(false);
  });
});
