// Compute and plumbing: the sync queue and its DLQ, the worker and scheduler functions, the tick
// schedule and the monitoring. Holds no data that outlives a message, so it can be destroyed and
// redeployed without touching the mirror.
import { fileURLToPath } from 'node:url';
import {
  ArnFormat,
  Aws,
  CfnOutput,
  CrossStackReferences,
  Duration,
  Names,
  ReferenceStrength,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  type CfnFunction,
  type DestinationConfig,
  type IDestination,
  type IFunction,
  RecursiveLoop,
} from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { type IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import type { DeployConfig } from './config.js';
import { grantKeyUse, queueEncryption } from './encryption.js';
import { Monitoring } from './monitoring.js';
import { DEAD_LETTER_QUEUE, ENV, SYNC_QUEUE, WORKER_DEFAULTS } from './resources.js';
import { SyncFunction } from './sync-function.js';
import { grantTableActions, TABLE_ACCESS, type TableAccess } from './table-grants.js';

export interface StatelessStackProps extends StackProps {
  config: DeployConfig;
  mailboxTable: ITable;
  cursorTable: ITable;
  itemTable: ITable;
  stateBucket: IBucket;
  /** The user's KMS key for the tables, the bucket and the queues; absent: AWS-owned keys. */
  encryptionKey?: IKey;
}

const handlerPath = (name: string) => fileURLToPath(new URL(`../functions/${name}.ts`, import.meta.url));

/** The scheduler must finish well before the next tick; a fan-out that runs long continues via the queue. */
const MAX_SCHEDULER_TIMEOUT_SECONDS = 300;

export class StatelessStack extends Stack {
  readonly worker: SyncFunction;
  readonly scheduler: SyncFunction;
  readonly syncQueue: Queue;
  readonly deadLetterQueue: Queue;
  readonly scheduleDeadLetterQueue: Queue;
  readonly monitoring: Monitoring;
  /** The user's key, when set: the queues are encrypted with it and the roles may use it. */
  readonly encryptionKey?: IKey;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.encryptionKey = props.encryptionKey;
    // Imports (not weak GetStackOutput): CloudFormation then refuses to delete or break the data
    // stack while this one uses it.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);

    this.deadLetterQueue = this.deadLetter(
      DEAD_LETTER_QUEUE.id,
      'sync jobs that failed maxReceiveCount times',
    );
    this.syncQueue = new Queue(this, SYNC_QUEUE.id, {
      ...queueEncryption(this.encryptionKey),
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(config.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(SYNC_QUEUE.retentionDays),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: SYNC_QUEUE.maxReceiveCount },
    });

    const environment = {
      [ENV.mailboxTable]: props.mailboxTable.tableName,
      [ENV.cursorTable]: props.cursorTable.tableName,
      [ENV.itemTable]: props.itemTable.tableName,
      [ENV.syncQueueUrl]: this.syncQueue.queueUrl,
      [ENV.syncIntervalMinutes]: String(config.syncIntervalMinutes),
      [ENV.tickRateMinutes]: String(config.tickRate),
      [ENV.maxHops]: String(config.maxHops),
      [ENV.leaseMs]: String(config.leaseSeconds * 1000),
      [ENV.defaultPageSize]: String(config.pageSize),
      [ENV.maxConcurrentSyncsPerMailbox]: String(config.maxConcurrentSyncsPerMailbox),
    };

    this.worker = new SyncFunction(this, 'Worker', {
      entry: handlerPath('worker'),
      description: 'Syncs the pages of a folder chain (EWS or Graph) from SQS and re-enqueues the follow-up',
      memorySize: config.workerMemoryMb,
      timeout: Duration.seconds(config.workerTimeoutSeconds),
      // The worker sends follow-up pages to the queue that triggers it; Lambda would otherwise
      // stop the chain after about 16 hops. Jobs carry their own hop counter (MAX_HOPS).
      recursiveLoop: RecursiveLoop.ALLOW,
      environment: {
        ...environment,
        [ENV.pagesPerInvocation]: String(config.pagesPerInvocation),
        [ENV.deadLetterQueueUrl]: this.deadLetterQueue.queueUrl,
        [ENV.stateBucket]: props.stateBucket.bucketName,
        // The handlers compare credential references against the prefix including its slash.
        [ENV.secretPrefix]: `${config.secretPrefix}/`,
      },
    });
    // What SqsEventSource builds (same construct id, so the same logical id), without its
    // grantConsumeMessages: Lambda's poller needs the three actions AWS documents for it
    // (AWSLambdaSQSQueueExecutionRole), not ChangeMessageVisibility or GetQueueUrl.
    this.worker.addEventSourceMapping(`SqsEventSource:${Names.nodeUniqueId(this.syncQueue.node)}`, {
      eventSourceArn: this.syncQueue.queueArn,
      batchSize: WORKER_DEFAULTS.batchSize,
      reportBatchItemFailures: true,
      maxConcurrency: config.workerMaxConcurrency,
    });
    this.worker.addToRolePolicy(
      new PolicyStatement({
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        resources: [this.syncQueue.queueArn],
      }),
    );

    this.scheduler = new SyncFunction(this, 'Scheduler', {
      entry: handlerPath('scheduler'),
      description: 'Tick: enqueues a hierarchy job for every enabled mailbox that is due',
      memorySize: 512,
      timeout: Duration.seconds(Math.min(config.tickRate * 60, MAX_SCHEDULER_TIMEOUT_SECONDS)),
      environment,
    });

    this.grantWorker(this.worker, props);
    this.grantScheduler(this.scheduler, props);
    // Both touch encrypted tables and queues (the worker the bucket too): the key's data calls.
    grantKeyUse(this.worker, this.encryptionKey);
    grantKeyUse(this.scheduler, this.encryptionKey);

    // Lost ticks, from both places a tick can be lost: EventBridge Scheduler could not invoke
    // the scheduler (its own retries exhausted), or the scheduler ran and failed after Lambda's
    // asynchronous retries (the on-failure destination below; the record carries the error).
    // Either way the next tick runs as usual; the alarm on new arrivals says that one was lost.
    this.scheduleDeadLetterQueue = this.deadLetter(
      'ScheduleDeadLetterQueue',
      'ticks that were lost: not delivered to the scheduler, or failed in it after retries',
    );
    // A failing tick is retried twice by Lambda, for at most one tick period (a later tick
    // supersedes it), and then recorded in the tick DLQ instead of being dropped.
    this.scheduler.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.seconds(Math.max(60, config.tickRate * 60)),
      onFailure: new QueueOnFailure(this.scheduleDeadLetterQueue),
    });
    new Schedule(this, 'Tick', {
      description: `Starts a sync round every ${config.tickRate} minute(s)`,
      schedule: ScheduleExpression.rate(Duration.minutes(config.tickRate)),
      // The default (185 retries over 24 h) would pile stale ticks on top of fresh ones: a tick
      // that cannot run within one period is superseded by the next.
      target: new LambdaInvoke(this.scheduler, {
        role: this.tickRole(),
        retryAttempts: 2,
        maxEventAge: Duration.seconds(Math.max(60, config.tickRate * 60)),
        deadLetterQueue: this.scheduleDeadLetterQueue,
      }),
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      config,
      worker: this.worker,
      scheduler: this.scheduler,
      syncQueue: this.syncQueue,
      deadLetterQueue: this.deadLetterQueue,
      scheduleDeadLetterQueue: this.scheduleDeadLetterQueue,
    });

    new CfnOutput(this, 'SyncQueueUrl', { value: this.syncQueue.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.monitoring.topic.topicArn,
      description: 'Subscribe here for alarm notifications (e-mail, chat, paging)',
    });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${this.monitoring.dashboard.dashboardName}`,
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'DefaultPageSize', {
      value: String(config.pageSize),
      description: 'Page size the CLI applies to mailboxes registered without one',
    });
    new CfnOutput(this, 'MaxConcurrentSyncsPerMailbox', {
      value: String(config.maxConcurrentSyncsPerMailbox),
      description: 'Concurrency the CLI applies to mailboxes registered without one',
    });
  }

  private deadLetter(id: string, what: string): Queue {
    const queue = new Queue(this, id, {
      ...queueEncryption(this.encryptionKey),
      enforceSSL: true,
      retentionPeriod: Duration.days(DEAD_LETTER_QUEUE.retentionDays),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is itself a dead-letter queue (${what}); it is alarmed on, not redriven further.`,
    });
    return queue;
  }

  /** Each table's actions from TABLE_ACCESS; a table the function never touches gets nothing. */
  private grantTables(fn: SyncFunction, access: TableAccess, props: StatelessStackProps): void {
    grantTableActions(props.mailboxTable, fn, access.mailbox ?? []);
    grantTableActions(props.cursorTable, fn, access.cursor ?? []);
    grantTableActions(props.itemTable, fn, access.item ?? []);
  }

  /** Worker: pages, cursors, items, mailbox back-off/slots/park, follow-ups, state spill, secrets. */
  private grantWorker(worker: SyncFunction, props: StatelessStackProps): void {
    this.grantTables(worker, TABLE_ACCESS.worker, props);
    // Follow-up jobs, and invalid jobs straight to the DLQ: SendMessage(Batch) only (the queue
    // URLs come from the environment; grantSendMessages would add GetQueueAttributes/GetQueueUrl).
    grantSend(worker, this.syncQueue);
    grantSend(worker, this.deadLetterQueue);
    // Objects only: the worker never lists or configures the bucket.
    worker.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [props.stateBucket.arnForObjects('*')],
      }),
    );
    worker.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.secretArnPattern(props.config.secretPrefix)],
      }),
    );
    Validations.of(worker.role!).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${this.importedName(props.stateBucket, props.stateBucket.bucketArn)}/*]`,
        reason:
          'SyncState objects are keyed per cursor and created at run time; the grant is object-level only.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${props.config.secretPrefix}/*]`,
        reason:
          'Each tenant has its own secret, added by operators after deployment; the worker may read only ' +
          'secrets under the project prefix (the trailing wildcard also covers the random ARN suffix).',
      },
    );
  }

  /**
   * Scheduler: pages the registry, reads and creates hierarchy cursors (without their SyncState:
   * no bucket, no S3), enqueues hierarchy jobs. No items, no secrets, no state bucket.
   */
  private grantScheduler(scheduler: SyncFunction, props: StatelessStackProps): void {
    this.grantTables(scheduler, TABLE_ACCESS.scheduler, props);
    grantSend(scheduler, this.syncQueue);
  }

  /** Invokes the scheduler; trusted by EventBridge Scheduler on behalf of this account only. */
  private tickRole(): Role {
    const role = new Role(this, 'TickRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: 'EventBridge Scheduler: invoke the exchange-sync scheduler, dead-letter failed ticks',
    });
    // Dead-lettering a tick is a SendMessage to an encrypted queue when the user brings a key.
    grantKeyUse(role, this.encryptionKey);
    const fnLogicalId = this.getLogicalId(this.scheduler.node.defaultChild as CfnFunction);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnLogicalId}.Arn>:*]`,
      reason:
        "CDK's grantInvoke adds the function's own version and alias ARNs (<arn>:*); the statement is " +
        'limited to the scheduler function.',
    });
    return role;
  }

  private secretArnPattern(prefix: string): string {
    return this.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${prefix}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /**
   * The export name a value from the stateful stack is imported under, as cdk-nag prints it in
   * findings. exportValue() creates the same export the automatic reference would, so this
   * names it without guessing CDK's naming scheme.
   */
  private importedName(producer: IConstruct, producedValue: string): string {
    const imported = this.resolve(Stack.of(producer).exportValue(producedValue));
    return imported['Fn::ImportValue'];
  }
}

/** sqs:SendMessage (which also authorises SendMessageBatch) on one queue, and nothing else. */
function grantSend(fn: IFunction, queue: IQueue): void {
  fn.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
}

/**
 * Lambda's asynchronous on-failure destination to a queue. The execution role sends the record,
 * so it needs sqs:SendMessage on the queue; CDK's SqsDestination grants GetQueueAttributes and
 * GetQueueUrl as well, which Lambda does not call.
 */
class QueueOnFailure implements IDestination {
  constructor(private readonly queue: IQueue) {}

  bind(_scope: Construct, fn: IFunction): DestinationConfig {
    grantSend(fn, this.queue);
    return { destination: this.queue.queueArn };
  }
}
