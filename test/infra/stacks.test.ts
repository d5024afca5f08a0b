// Assertions on the synthesized templates: each property the deployment promises, checked where
// CloudFormation will see it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { parseConfig } from '../../infra/config.js';
import { OLDEST_MESSAGE_ALARM_SECONDS } from '../../infra/monitoring.js';
import {
  DEAD_LETTER_QUEUE,
  ENV,
  METRIC_DIMENSIONS,
  METRICS,
  SYNC_QUEUE,
  TABLES,
  WORKER_DEFAULTS,
} from '../../infra/resources.js';
import { envValue, SETTINGS } from '../../lib/settings/index.js';
import { buildTestApp, TEST_KEY_ARN } from './build.js';
import {
  allowedActions,
  FUNCTIONS,
  flatten,
  KEY_ACTIONS,
  type LambdaFunction,
  missingFrom,
  neededGrants,
  OPERATOR_ONLY,
  roleStatements,
} from './policies.js';
import { SdkCallGraph } from './sdk-calls.js';

const root = join(import.meta.dirname, '../..');

type Built = ReturnType<typeof buildTestApp>;
type BuiltStacks = Pick<Built, 'stateful' | 'stateless' | 'statelessTemplate'>;

// Template JSON is deeply dynamic; the assertions below are its type checks.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

const onlyResource = (template: Template, type: string, idPrefix: string) => {
  const found = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(idPrefix));
  expect(found, `${type} ${idPrefix}*`).toHaveLength(1);
  return found[0]![1] as { Properties: Record<string, Json>; [k: string]: Json };
};

let built: Built;
let stateful: Template;
let stateless: Template;
beforeAll(() => {
  built = buildTestApp();
  stateful = built.statefulTemplate;
  stateless = built.statelessTemplate;
});

describe('stateful stack', () => {
  it('creates each shared table on demand, with PITR, deletion protection and RETAIN', () => {
    for (const def of TABLES) {
      const table = onlyResource(stateful, 'AWS::DynamoDB::Table', def.id);
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        KeySchema: [
          { AttributeName: def.partitionKey, KeyType: 'HASH' },
          { AttributeName: def.sortKey, KeyType: 'RANGE' },
        ],
      });
      expect(table.Properties.TimeToLiveSpecification).toEqual(
        def.ttlAttribute ? { AttributeName: def.ttlAttribute, Enabled: true } : undefined,
      );
      expect(table.Properties.StreamSpecification).toEqual(
        def.stream ? { StreamViewType: def.stream } : undefined,
      );
    }
  });

  it('gives the item mirror a NEW_AND_OLD_IMAGES stream: the change feed', () => {
    const items = onlyResource(stateful, 'AWS::DynamoDB::Table', 'Items');
    expect(items.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    stateful.hasOutput('ChangeFeedStreamArn', {});
  });

  it('keeps the state bucket encrypted, private, TLS-only and retained', () => {
    const bucket = onlyResource(stateful, 'AWS::S3::Bucket', 'StateBucket');
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('worker', () => {
  it('is an ARM64 Node 24 function with source maps that may re-enqueue to its own trigger', () => {
    const worker = onlyResource(stateless, 'AWS::Lambda::Function', 'Worker');
    expect(worker.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      RecursiveLoop: 'Allow',
      Timeout: WORKER_DEFAULTS.timeoutSeconds,
      MemorySize: WORKER_DEFAULTS.memoryMb,
      Handler: 'index.handler',
      Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
  });

  it('gets every environment variable the handlers read in AWS', () => {
    const vars = onlyResource(stateless, 'AWS::Lambda::Function', 'Worker').Properties.Environment.Variables;
    const expected = [
      ENV.mailboxTable,
      ENV.cursorTable,
      ENV.itemTable,
      ENV.syncQueueUrl,
      ENV.deadLetterQueueUrl,
      ENV.stateBucket,
      ENV.secretPrefix,
      ENV.syncIntervalMinutes,
      ENV.maxHops,
      ENV.leaseMs,
      ENV.defaultPageSize,
      ENV.maxConcurrentSyncsPerMailbox,
    ];
    expect(Object.keys(vars)).toEqual(expect.arrayContaining(expected));
    expect(vars[ENV.secretPrefix]).toBe('exchange-sync/');
    expect(vars[ENV.leaseMs]).toBe(String((WORKER_DEFAULTS.timeoutSeconds + 30) * 1000));
    // Local-only switches must stay off in AWS.
    for (const local of ['ALLOW_INSECURE_HTTP', ENV.dynamoEndpoint, ENV.sqsEndpoint]) {
      expect(vars).not.toHaveProperty(local);
    }
  });

  it('consumes the sync queue with partial batch failures and a maximum concurrency', () => {
    stateless.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    const mapping = onlyResource(stateless, 'AWS::Lambda::EventSourceMapping', 'Worker');
    expect(mapping.Properties).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: WORKER_DEFAULTS.batchSize,
      ScalingConfig: { MaximumConcurrency: WORKER_DEFAULTS.maxConcurrency },
    });
    expect(flatten(mapping.Properties.EventSourceArn)).toMatch(
      new RegExp(`^<${SYNC_QUEUE.id}[0-9A-F]+\\.Arn>$`),
    );
  });

  it('logs to its own log group with a retention', () => {
    const worker = onlyResource(stateless, 'AWS::Lambda::Function', 'Worker');
    expect(flatten(worker.Properties.LoggingConfig.LogGroup)).toMatch(/^<WorkerLogs/);
    const logs = onlyResource(stateless, 'AWS::Logs::LogGroup', 'WorkerLogs');
    expect(logs.Properties.RetentionInDays).toBe(30);
  });
});

describe('sync queue', () => {
  it('has a visibility timeout of at least 6x the worker timeout', () => {
    const queue = onlyResource(stateless, 'AWS::SQS::Queue', SYNC_QUEUE.id);
    const worker = onlyResource(stateless, 'AWS::Lambda::Function', 'Worker');
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * worker.Properties.Timeout);
  });

  it('redrives to an encrypted DLQ after maxReceiveCount receives', () => {
    const queue = onlyResource(stateless, 'AWS::SQS::Queue', SYNC_QUEUE.id);
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    expect(queue.Properties.MessageRetentionPeriod).toBe(SYNC_QUEUE.retentionDays * 86400);
    expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(SYNC_QUEUE.maxReceiveCount);
    expect(flatten(queue.Properties.RedrivePolicy.deadLetterTargetArn)).toMatch(
      new RegExp(`^<${DEAD_LETTER_QUEUE.id}[0-9A-F]+\\.Arn>$`),
    );
    const dlq = onlyResource(stateless, 'AWS::SQS::Queue', DEAD_LETTER_QUEUE.id);
    expect(dlq.Properties.SqsManagedSseEnabled).toBe(true);
    expect(dlq.Properties.MessageRetentionPeriod).toBe(DEAD_LETTER_QUEUE.retentionDays * 86400);
  });

  it('refuses requests without TLS on every queue', () => {
    const queues = Object.keys(stateless.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(3);
    const policies = Object.values(stateless.findResources('AWS::SQS::QueuePolicy'));
    for (const queue of queues) {
      const policy = policies.find((p) =>
        p.Properties.Queues.some((q: unknown) => flatten(q) === `<${queue}>`),
      );
      expect(policy, `TLS policy for ${queue}`).toBeDefined();
      expect(policy!.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });
});

describe('tick schedule', () => {
  it('invokes the scheduler at the tick rate with a small retry policy and its own DLQ', () => {
    const schedule = onlyResource(stateless, 'AWS::Scheduler::Schedule', 'Tick');
    expect(schedule.Properties.ScheduleExpression).toBe('rate(5 minutes)');
    const target = schedule.Properties.Target;
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 });
    expect(flatten(target.Arn)).toMatch(/^<Scheduler[0-9A-F]+\.Arn>$/);
    expect(flatten(target.DeadLetterConfig.Arn)).toMatch(/^<ScheduleDeadLetterQueue[0-9A-F]+\.Arn>$/);
  });

  it("sends a tick that failed after Lambda's retries to the tick DLQ, not into the void", () => {
    const config = onlyResource(stateless, 'AWS::Lambda::EventInvokeConfig', 'Scheduler');
    expect(flatten(config.Properties.FunctionName)).toMatch(/^<Scheduler[0-9A-F]+>$/);
    expect(config.Properties).toMatchObject({
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 300,
    });
    expect(flatten(config.Properties.DestinationConfig.OnFailure.Destination)).toMatch(
      /^<ScheduleDeadLetterQueue[0-9A-F]+\.Arn>$/,
    );
    stateless.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
  });

  it('gives the scheduler function less time than one tick', () => {
    const scheduler = onlyResource(stateless, 'AWS::Lambda::Function', 'Scheduler');
    expect(scheduler.Properties.Timeout).toBeLessThanOrEqual(300);
    expect(scheduler.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    expect(scheduler.Properties.RecursiveLoop).toBeUndefined();
  });
});

describe('least privilege', () => {
  /** Names the resources of the stateless template's statements. */
  function labels(app: BuiltStacks): Map<string, string> {
    const { stateless: stack, stateful: data } = app;
    const named = new Map<string, string>();
    const add = (token: string, label: string) => named.set(flatten(stack.resolve(token)), label);
    add(data.mailboxTable.tableArn, 'MailboxTable');
    add(data.cursorTable.tableArn, 'CursorTable');
    add(data.itemTable.tableArn, 'ItemTable');
    add(data.stateBucket.arnForObjects('*'), 'StateBucket/*');
    add(stack.syncQueue.queueArn, 'SyncQueue');
    add(stack.deadLetterQueue.queueArn, 'DeadLetterQueue');
    add(stack.scheduleDeadLetterQueue.queueArn, 'ScheduleDeadLetterQueue');
    add(stack.worker.logGroup.logGroupArn, 'WorkerLogs');
    add(stack.scheduler.logGroup.logGroupArn, 'SchedulerLogs');
    add(stack.scheduler.functionArn, 'SchedulerFunction');
    if (data.encryptionKey) add(data.encryptionKey.keyArn, 'EncryptionKey');
    // The only secrets any role may read: `<prefix>/*`, the worker's alone.
    named.set(SECRETS_UNDER_PREFIX, 'Secrets');
    return named;
  }

  const SECRETS_UNDER_PREFIX =
    'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:exchange-sync/*';

  /** The role's grants by resource label (a resource without a label keeps its flattened ARN). */
  function grantsOf(rolePrefix: string, app: BuiltStacks = built): Record<string, string[]> {
    const named = labels(app);
    const byResource: Record<string, string[]> = {};
    for (const [action, resources] of allowedActions(roleStatements(app.statelessTemplate, rolePrefix))) {
      for (const r of resources) {
        const label =
          named.get(r) ??
          (r.endsWith(':*') && named.get(r.slice(0, -2)) ? `${named.get(r.slice(0, -2))}:*` : r);
        byResource[label] = [...(byResource[label] ?? []), action].sort();
      }
    }
    return byResource;
  }

  let graph: SdkCallGraph;
  /** The same app with a customer-managed key (the `encryptionKeyArn` setting). */
  let keyed: Built;
  beforeAll(() => {
    graph = new SdkCallGraph(root, Object.values(FUNCTIONS));
    keyed = buildTestApp({ encryptionKeyArn: TEST_KEY_ARN });
  }, 60_000);

  /** Both directions, resources included: used ⊆ granted and granted ⊆ used. */
  function gaps(fn: LambdaFunction, app: BuiltStacks = built) {
    const granted = grantsOf(fn.role, app);
    const needed = neededGrants(graph, fn, app.stateful.encryptionKey ? 'EncryptionKey' : undefined);
    return { usedNotGranted: missingFrom(needed, granted), grantedNotUsed: missingFrom(granted, needed) };
  }

  const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];

  for (const [name, fn] of Object.entries(FUNCTIONS)) {
    it(`${name}: its role holds exactly the calls its code makes, on exactly the resources it makes them on`, () => {
      const { usedNotGranted, grantedNotUsed } = gaps(fn);
      expect(usedNotGranted, 'calls the code makes that the role may not (they fail in AWS only)').toEqual(
        [],
      );
      expect(grantedNotUsed, 'grants no code of this function uses').toEqual([]);
    });

    it(`${name}: with a customer-managed key, the same, plus the key's data calls on that key alone`, () => {
      const { usedNotGranted, grantedNotUsed } = gaps(fn, keyed);
      expect(usedNotGranted, 'calls the role may not make (they fail in AWS only)').toEqual([]);
      expect(grantedNotUsed, 'grants no code of this function uses').toEqual([]);
      expect(grantsOf(fn.role, keyed).EncryptionKey).toEqual(KEY_ACTIONS);
    });
  }

  it('with a customer-managed key: the tick role may use it to dead-letter, and the roles gain nothing else', () => {
    expect(grantsOf('TickRole', keyed)).toEqual({ ...grantsOf('TickRole'), EncryptionKey: KEY_ACTIONS });
    for (const fn of Object.values(FUNCTIONS)) {
      expect(grantsOf(fn.role, keyed)).toEqual({ ...grantsOf(fn.role), EncryptionKey: KEY_ACTIONS });
    }
  });

  it('fails on a key action nobody needs, and on the key for a role that touches nothing it encrypts (control)', () => {
    const { stateful: data, stateless: stack } = buildApp(
      new App({ context: { 'aws:cdk:bundling-stacks': [], encryptionKeyArn: TEST_KEY_ARN } }),
    );
    stack.worker.addToRolePolicy(
      new PolicyStatement({ actions: ['kms:Encrypt'], resources: [data.encryptionKey!.keyArn] }),
    );
    const rebuilt = { stateful: data, stateless: stack, statelessTemplate: Template.fromStack(stack) };
    expect(gaps(FUNCTIONS.worker, rebuilt).grantedNotUsed).toEqual(['EncryptionKey: kms:Encrypt']);
    // A function that only logs touches nothing the key encrypts: it needs nothing on the key.
    const logsOnly = { ...FUNCTIONS.scheduler, platform: { SchedulerLogs: ['logs:PutLogEvents'] } };
    const noCalls = { callsOf: () => [] } as unknown as SdkCallGraph;
    expect(neededGrants(noCalls, logsOnly, 'EncryptionKey')).toEqual({
      SchedulerLogs: ['logs:PutLogEvents'],
    });
  });

  it('worker: per table what the pages do, its queues, object-level state bucket, secrets under the prefix', () => {
    expect(grantsOf('WorkerRole')).toEqual({
      WorkerLogs: logs,
      MailboxTable: [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
      ],
      CursorTable: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      // No Scan, GetItem, UpdateItem or DeleteItem on the mirror; ConditionCheckItem for the
      // closed-folder guard's transactions.
      ItemTable: [
        'dynamodb:BatchGetItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
      ],
      SyncQueue: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:SendMessage'],
      DeadLetterQueue: ['sqs:SendMessage'],
      'StateBucket/*': ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
      Secrets: ['secretsmanager:GetSecretValue'],
    });
    const secretStatements = roleStatements(stateless, 'WorkerRole').filter((s) =>
      s.actions.some((a) => a.startsWith('secretsmanager:')),
    );
    expect(secretStatements.map((s) => [s.actions, s.resources])).toEqual([
      [['secretsmanager:GetSecretValue'], [SECRETS_UNDER_PREFIX]],
    ]);
  });

  it('scheduler: scans the registry, reads and creates hierarchy cursors, sends jobs; no items, state or secrets', () => {
    expect(grantsOf('SchedulerRole')).toEqual({
      SchedulerLogs: logs,
      MailboxTable: ['dynamodb:Scan', 'dynamodb:UpdateItem'],
      CursorTable: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      SyncQueue: ['sqs:SendMessage'],
      ScheduleDeadLetterQueue: ['sqs:SendMessage'],
    });
  });

  it('tick role: invokes the scheduler and dead-letters to its own queue', () => {
    expect(grantsOf('TickRole')).toEqual({
      SchedulerFunction: ['lambda:InvokeFunction'],
      'SchedulerFunction:*': ['lambda:InvokeFunction'],
      ScheduleDeadLetterQueue: ['sqs:SendMessage'],
    });
    const role = onlyResource(stateless, 'AWS::IAM::Role', 'TickRole');
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    });
  });

  it('finds every SDK call of the adapters in some function, or knows it for an operator-only call', () => {
    const reached = new Set(Object.values(FUNCTIONS).flatMap((fn) => graph.callsOf(fn).map((c) => c.site)));
    const sites = graph.adapterCallSites();
    expect(sites.length, 'no adapter SDK calls found: is the scan still right?').toBeGreaterThan(10);
    const unexplained = sites.filter((c) => !reached.has(c.site) && !OPERATOR_ONLY.includes(c.site));
    expect(
      unexplained.map((c) => `${c.site} ${c.action}`),
      'calls no function reaches: teach test/infra/sdk-calls.ts the path, or list them in OPERATOR_ONLY',
    ).toEqual([]);
    for (const site of OPERATOR_ONLY) {
      expect(
        sites.map((c) => c.site),
        `${site} no longer exists`,
      ).toContain(site);
      expect(reached.has(site), `${site} is reached by a function: not operator-only`).toBe(false);
    }
  });

  it('fails on a grant the code does not use and on a call the role may not make (control)', () => {
    // Changed before the first synth: a synthesized app is not synthesized again.
    const { stateful: data, stateless: stack } = buildApp(
      new App({ context: { 'aws:cdk:bundling-stacks': [] } }),
    );
    // The scheduler may now read the mirror: a resource its code never touches.
    data.itemTable.grant(stack.scheduler, 'dynamodb:GetItem');
    // The worker may now scan the mirror: an action its code never calls.
    stack.worker.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:Scan'], resources: [data.itemTable.tableArn] }),
    );
    const rebuilt = { stateful: data, stateless: stack, statelessTemplate: Template.fromStack(stack) };
    expect(gaps(FUNCTIONS.scheduler, rebuilt).grantedNotUsed).toEqual(['ItemTable: dynamodb:GetItem']);
    expect(gaps(FUNCTIONS.worker, rebuilt).grantedNotUsed).toEqual(['ItemTable: dynamodb:Scan']);
    // The worker's code measured against the scheduler's role: calls that would fail in AWS only.
    const crossed = missingFrom(neededGrants(graph, FUNCTIONS.worker), grantsOf('SchedulerRole'));
    expect(crossed).toContain('ItemTable: dynamodb:ConditionCheckItem');
    expect(crossed).toContain('Secrets: secretsmanager:GetSecretValue');
  });

  it('attaches no managed policies and grants nothing on "*"', () => {
    for (const role of Object.values(stateless.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    for (const policy of Object.values(stateless.findResources('AWS::IAM::Policy'))) {
      for (const s of policy.Properties.PolicyDocument.Statement) {
        expect([s.Resource].flat()).not.toContain('*');
      }
    }
  });
});

describe('monitoring', () => {
  const alarmFor = (idPrefix: string) =>
    onlyResource(stateless, 'AWS::CloudWatch::Alarm', `Monitoring${idPrefix}`);

  it('notifies an encrypted, TLS-only topic from every alarm', () => {
    const topic = onlyResource(stateless, 'AWS::SNS::Topic', 'MonitoringAlarmTopic');
    expect(flatten(topic.Properties.KmsMasterKeyId)).toMatch(/^<MonitoringAlarmTopicKey[0-9A-F]+\.Arn>$/);
    // Without this grant CloudWatch cannot publish to the encrypted topic and alarms go nowhere.
    stateless.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    stateless.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const alarms = Object.values(stateless.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(11);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions.map(flatten)).toEqual([
        expect.stringMatching(/^<MonitoringAlarmTopic/),
      ]);
    }
    stateless.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  /** The queues (by logical id prefix) and metrics a math alarm reads. */
  const readsOf = (alarm: Json) =>
    (alarm.Properties.Metrics as Json[])
      .filter((m) => m.MetricStat)
      .map((m) => ({
        metric: m.MetricStat.Metric.MetricName,
        queue: flatten(m.MetricStat.Metric.Dimensions[0].Value).replace(
          /^<([A-Za-z]+?)[0-9A-F]{8}\.QueueName>$/,
          '$1',
        ),
      }))
      .sort((a, b) => a.metric.localeCompare(b.metric));

  it('alarms on new arrivals in each DLQ, not on their depth (which stays in ALARM for days)', () => {
    for (const [id, queue] of [
      ['DeadLetterQueueArrivals', DEAD_LETTER_QUEUE.id],
      ['ScheduleDeadLetterQueueArrivals', 'ScheduleDeadLetterQueue'],
    ] as const) {
      const alarm = alarmFor(id);
      expect(alarm.Properties).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
      // Notified when arrivals start and when a period passes without any: each new arrival
      // raises a fresh ALARM.
      expect(alarm.Properties.OKActions.map(flatten)).toEqual([
        expect.stringMatching(/^<MonitoringAlarmTopic/),
      ]);
      expect(alarm.Properties.MetricName).toBeUndefined();
      const returned = (alarm.Properties.Metrics as Json[]).filter((m) => m.ReturnData !== false);
      expect(returned).toHaveLength(1);
      // SendMessage arrivals, plus a rise of the total for messages moved by the redrive policy.
      expect(returned[0].Expression).toMatch(/sent/);
      expect(JSON.stringify(alarm.Properties.Metrics)).toMatch(/DIFF\(/);
      expect(readsOf(alarm)).toEqual([
        { metric: 'ApproximateNumberOfMessagesNotVisible', queue },
        { metric: 'ApproximateNumberOfMessagesVisible', queue },
        { metric: 'NumberOfMessagesSent', queue },
      ]);
    }
    for (const depthAlarm of ['DeadLetterQueueDepth', 'ScheduleDeadLetterQueueDepth']) {
      expect(
        Object.keys(stateless.findResources('AWS::CloudWatch::Alarm')).some((k) => k.includes(depthAlarm)),
      ).toBe(false);
    }
  });

  it('alarms on queue age, worker and scheduler errors and throttles', () => {
    expect(alarmFor('OldestMessageAge').Properties).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: OLDEST_MESSAGE_ALARM_SECONDS,
    });
    for (const [id, metric, fn] of [
      ['WorkerErrors', 'Errors', 'Worker'],
      ['WorkerThrottles', 'Throttles', 'Worker'],
      ['SchedulerErrors', 'Errors', 'Scheduler'],
      ['SchedulerThrottles', 'Throttles', 'Scheduler'],
    ] as const) {
      const alarm = alarmFor(id).Properties;
      expect(alarm).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: metric, Threshold: 1 });
      expect(flatten(alarm.Dimensions[0].Value)).toMatch(new RegExp(`^<${fn}[0-9A-F]+>$`));
    }
  });

  it('alarms on the EWS throttle metric with the dimensions the worker emits', () => {
    expect(alarmFor('EwsThrottled').Properties).toMatchObject({
      Namespace: METRICS.namespace,
      MetricName: METRICS.throttled,
      Dimensions: Object.entries(METRIC_DIMENSIONS).map(([Name, Value]) => ({ Name, Value })),
      Statistic: 'Sum',
      Threshold: 100,
      EvaluationPeriods: 3,
      TreatMissingData: 'notBreaching',
    });
    const worker = onlyResource(stateless, 'AWS::Lambda::Function', 'Worker').Properties.Environment
      .Variables;
    expect(worker.POWERTOOLS_SERVICE_NAME).toBe(METRIC_DIMENSIONS.service);
    expect(worker.POWERTOOLS_METRICS_NAMESPACE).toBe(METRICS.namespace);
  });

  it('alarms on parked mailboxes, stopped chains and invalid registry rows, as the handlers emit them', () => {
    // A mailbox parked (a pause beyond the cap, a code an administrator must fix), a chain
    // stopped by maxHops or by empty pages that claim more, a registry row the schema refuses:
    // each needs someone, and none shows up in the Lambda or queue alarms.
    for (const [id, metric] of [
      ['MailboxesParked', METRICS.parked],
      ['ChainsStopped', METRICS.chainsStopped],
      ['InvalidRegistryRows', METRICS.invalidRegistryRows],
    ] as const) {
      expect(alarmFor(id).Properties, id).toMatchObject({
        Namespace: METRICS.namespace,
        MetricName: metric,
        Dimensions: Object.entries(METRIC_DIMENSIONS).map(([Name, Value]) => ({ Name, Value })),
        Statistic: 'Sum',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    }
    // The scheduler reports invalid rows (every tick reads the whole registry): it must say who it is.
    const scheduler = onlyResource(stateless, 'AWS::Lambda::Function', 'Scheduler').Properties.Environment
      .Variables;
    expect(scheduler.POWERTOOLS_SERVICE_NAME).toBe(METRIC_DIMENSIONS.service);
    expect(scheduler.POWERTOOLS_METRICS_NAMESPACE).toBe(METRICS.namespace);
  });

  it('draws pages, changes, throttles, errors and lag on the dashboard', () => {
    const dashboard = onlyResource(stateless, 'AWS::CloudWatch::Dashboard', 'MonitoringDashboard');
    const body = flatten(dashboard.Properties.DashboardBody);
    for (const name of [
      METRICS.pages,
      METRICS.changes,
      METRICS.throttled,
      METRICS.errors,
      METRICS.lagSeconds,
    ]) {
      expect(body).toContain(`"${name}"`);
    }
  });
});

describe('configuration from context', () => {
  it('follows the worker timeout, tick rate, secret prefix and alarm e-mail', () => {
    const custom = buildTestApp({
      workerTimeoutSeconds: '120',
      workerMemoryMb: 1024,
      workerMaxConcurrency: 10,
      tickRate: 1,
      secretPrefix: 'acme/sync',
      alarmEmail: 'ops@example.com',
    }).statelessTemplate;
    const worker = onlyResource(custom, 'AWS::Lambda::Function', 'Worker').Properties;
    expect(worker).toMatchObject({ Timeout: 120, MemorySize: 1024 });
    expect(worker.Environment.Variables[ENV.leaseMs]).toBe('150000');
    expect(worker.Environment.Variables[ENV.secretPrefix]).toBe('acme/sync/');
    expect(onlyResource(custom, 'AWS::SQS::Queue', SYNC_QUEUE.id).Properties.VisibilityTimeout).toBe(720);
    expect(
      onlyResource(custom, 'AWS::Lambda::EventSourceMapping', 'Worker').Properties.ScalingConfig,
    ).toEqual({
      MaximumConcurrency: 10,
    });
    const schedule = onlyResource(custom, 'AWS::Scheduler::Schedule', 'Tick').Properties;
    expect(schedule.ScheduleExpression).toBe('rate(1 minute)');
    expect(schedule.Target.RetryPolicy.MaximumEventAgeInSeconds).toBe(60);
    expect(onlyResource(custom, 'AWS::Lambda::Function', 'Scheduler').Properties.Timeout).toBe(60);
    const secretGrants = roleStatements(custom, 'WorkerRole').filter((s) =>
      s.actions.includes('secretsmanager:GetSecretValue'),
    );
    expect(secretGrants.map((s) => s.resources)).toEqual([
      ['arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:acme/sync/*'],
    ]);
    custom.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  it('fails the synth on a bad value, naming the key', () => {
    expect(() => buildTestApp({ workerTimeoutSeconds: 0 })).toThrow(/workerTimeoutSeconds/);
  });

  it('fails the synth on a key that is not a setting, listing the valid ones', () => {
    expect(() => buildTestApp({ alarmemail: 'ops@example.com' })).toThrow(
      /alarmemail: not a setting of exchange-sync \(did you mean alarmEmail\?\)[\s\S]*Valid keys: .*alarmEmail/,
    );
  });

  it("gives the functions the settings table's values, in their environment form", () => {
    const vars = onlyResource(stateless, 'AWS::Lambda::Function', 'Worker').Properties.Environment.Variables;
    const config = parseConfig({});
    for (const name of [
      'syncIntervalMinutes',
      'maxHops',
      'pageSize',
      'maxConcurrentSyncsPerMailbox',
      'secretPrefix',
    ] as const) {
      expect(vars[SETTINGS[name].env], name).toBe(envValue(name, config[name]));
    }
    expect(vars[SETTINGS.leaseMs.env]).toBe(envValue('leaseMs', SETTINGS.leaseMs.default));
  });

  it('warns at synth when no alarmEmail is set, and only then', () => {
    const warning = Match.stringLikeRegexp('No alarmEmail is set');
    Annotations.fromStack(built.stateless).hasWarning('*', warning);
    const withEmail = buildTestApp({ alarmEmail: 'ops@example.com' });
    Annotations.fromStack(withEmail.stateless).hasNoWarning('*', warning);
  });
});

// cdk-nag's AwsSolutions pack runs as a validation plugin on every synth (Template.fromStack
// included): a finding nobody acknowledged fails the synth. The control case proves it is attached.
describe('cdk-nag AwsSolutions', () => {
  /** Every acknowledgement in the tree: id -> reason. */
  function acknowledgements(app: App): Map<string, string> {
    const found = new Map<string, string>();
    for (const node of app.node.findAll()) {
      for (const entry of node.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>))
          found.set(id, reason);
      }
    }
    return found;
  }

  it('reports no unacknowledged finding on the app', () => {
    const assembly = built.app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  });

  it('acknowledges each finding by its exact id, with a reason', () => {
    const acks = acknowledgements(built.app);
    expect([...acks.keys()].map((id) => id.replace(/^Annotation::/, '')).sort()).toEqual([
      'AwsSolutions-IAM5[Resource::<SchedulerCFE73206.Arn>:*]',
      'AwsSolutions-IAM5[Resource::ExchangeSync-Data:ExportsOutputFnGetAttStateBucket446E0578Arn9111146E/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:exchange-sync/*]',
      'AwsSolutions-S1',
      'AwsSolutions-SQS3',
    ]);
    for (const reason of acks.values()) expect(reason.length).toBeGreaterThan(40);
  });

  it('fails the synth on a finding nobody acknowledged (control)', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const { stateless: stack } = buildApp(app);
    new Queue(stack, 'UnencryptedQueueWithoutDlq');
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });
});

describe('snapshot', () => {
  it('matches, with asset hashes normalised', () => {
    // The order of a statement's actions means nothing to IAM, and CDK's merging of statements
    // follows the order grants were made in, which earlier tests of this file can change.
    const sortActions = (_key: string, value: unknown) =>
      _key === 'Action' && Array.isArray(value) ? [...value].sort() : value;
    const normalise = (template: Template) =>
      JSON.parse(
        JSON.stringify(template.toJSON(), sortActions).replace(/[0-9a-f]{64}(\.zip)?/g, '[ASSET]$1'),
      );
    expect({ stateful: normalise(stateful), stateless: normalise(stateless) }).toMatchSnapshot();
  });
});
