// The `encryptionKeyArn` setting (issue 13): with the user's KMS key, every table, the state
// bucket and every queue are encrypted with it; without it, the templates are today's (the
// snapshot in stacks.test.ts holds them byte for byte). What the roles may do with the key is
// checked with the rest of their grants (stacks.test.ts, "least privilege").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, TEST_KEY_ARN } from './build.js';
import { KEY_ACTIONS, roleStatements } from './policies.js';

type Built = ReturnType<typeof buildTestApp>;
// biome-ignore lint/suspicious/noExplicitAny: template JSON is deeply dynamic; the assertions type it
type Json = any;

const propsOf = (template: Template, type: string): Json[] =>
  Object.values(template.findResources(type)).map((r) => r.Properties);

/** Every IAM statement of the template that names a KMS action, with its role. */
function kmsStatements(template: Template) {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
    (p.Properties.PolicyDocument.Statement as Json[])
      .filter((s) => [s.Action].flat().some((a: string) => a.startsWith('kms:')))
      .map((s) => ({
        roles: p.Properties.Roles.map((r: Json) => r.Ref),
        actions: s.Action,
        resource: s.Resource,
      })),
  );
}

let plain: Built;
let keyed: Built;
beforeAll(() => {
  plain = buildTestApp();
  keyed = buildTestApp({ encryptionKeyArn: TEST_KEY_ARN });
});

describe('with encryptionKeyArn', () => {
  it('encrypts every table with the key', () => {
    const tables = propsOf(keyed.statefulTemplate, 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(3);
    for (const table of tables) {
      expect(table.SSESpecification).toEqual({
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: TEST_KEY_ARN,
      });
    }
  });

  it('encrypts the state bucket with the key and a bucket key', () => {
    const [bucket] = propsOf(keyed.statefulTemplate, 'AWS::S3::Bucket');
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: TEST_KEY_ARN },
      },
    ]);
  });

  it('encrypts every queue with the key, reusing data keys for at least 5 minutes', () => {
    const queues = propsOf(keyed.statelessTemplate, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(3);
    for (const queue of queues) {
      expect(queue.KmsMasterKeyId).toBe(TEST_KEY_ARN);
      expect(queue.KmsDataKeyReusePeriodSeconds).toBeGreaterThanOrEqual(300);
      expect(queue.SqsManagedSseEnabled).toBeUndefined();
    }
  });

  it('lets the worker, scheduler and tick roles decrypt and generate data keys with that key, nothing more', () => {
    const statements = kmsStatements(keyed.statelessTemplate);
    expect(statements.map((s) => s.roles.join()).sort()).toEqual([
      expect.stringMatching(/^SchedulerRole/),
      expect.stringMatching(/^TickRole/),
      expect.stringMatching(/^WorkerRole/),
    ]);
    for (const s of statements) {
      expect(s.actions).toEqual(KEY_ACTIONS);
      expect(s.resource).toBe(TEST_KEY_ARN);
    }
    expect(kmsStatements(keyed.statefulTemplate)).toEqual([]);
    // The worker's other statements are the plain app's: the key adds one statement, no more.
    expect(roleStatements(keyed.statelessTemplate, 'WorkerRole')).toHaveLength(
      roleStatements(plain.statelessTemplate, 'WorkerRole').length + 1,
    );
  });

  it('passes cdk-nag without new acknowledgements', () => {
    const assembly = keyed.app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  });

  it('refuses a key alias or a malformed ARN at synth, naming the setting', () => {
    expect(() => buildTestApp({ encryptionKeyArn: 'alias/exchange-sync' })).toThrow(/encryptionKeyArn/);
  });
});

describe('without encryptionKeyArn', () => {
  it('uses AWS-owned and service keys, and no role holds a KMS action', () => {
    for (const table of propsOf(plain.statefulTemplate, 'AWS::DynamoDB::Table')) {
      // SSE off in CloudFormation's words means DynamoDB's AWS-owned key.
      expect(table.SSESpecification).toEqual({ SSEEnabled: false });
    }
    const [bucket] = propsOf(plain.statefulTemplate, 'AWS::S3::Bucket');
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    for (const queue of propsOf(plain.statelessTemplate, 'AWS::SQS::Queue')) {
      expect(queue).toMatchObject({ SqsManagedSseEnabled: true });
      expect(queue.KmsMasterKeyId).toBeUndefined();
    }
    expect(kmsStatements(plain.statelessTemplate)).toEqual([]);
    expect(JSON.stringify(plain.statefulTemplate.toJSON())).not.toContain('kms');
  });
});
