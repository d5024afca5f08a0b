// Alarms, the alarm topic and the dashboard. Every alarm notifies the topic on ALARM and OK, so a
// subscriber sees both when something breaks and when it recovered.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DeployConfig } from './config.js';
import { METRIC_DIMENSIONS, METRICS } from './resources.js';

export interface MonitoringProps {
  config: DeployConfig;
  worker: IFunction;
  scheduler: IFunction;
  syncQueue: IQueue;
  deadLetterQueue: IQueue;
  scheduleDeadLetterQueue: IQueue;
}

const PERIOD = Duration.minutes(5);

/** Queue age above which the workers are not keeping up (back-off delays stay under 15 min). */
export const OLDEST_MESSAGE_ALARM_SECONDS = 1800;

/**
 * Messages that arrived in a dead-letter queue during the period. Alarming on the depth
 * ("visible >= 1") keeps the alarm in ALARM for as long as old messages wait (14 days), so nobody
 * hears of the ones that arrive later; this one breaches in each period with new arrivals and
 * returns to OK after it, so every new arrival notifies (ALARM), and so does its end (OK).
 * - Arrivals by SendMessage (the worker's invalid jobs, EventBridge Scheduler's undelivered
 *   ticks, Lambda's on-failure records) count in NumberOfMessagesSent.
 * - Messages moved by a redrive policy count in no Sent metric: a rise of the queue's total
 *   (visible + in flight, so that looking at messages in the console does not count) catches them.
 * SQS stops publishing for a queue idle for hours: a missing point repeats the last value, or
 * counts as 0 before any, so the first arrival after a quiet spell is a rise too.
 */
export function deadLetterArrivals(queue: IQueue): MathExpression {
  const max = { statistic: 'Maximum', period: PERIOD };
  return new MathExpression({
    label: 'Messages arrived',
    period: PERIOD,
    expression: 'FILL(sent, 0) + IF(rise > 0, rise, 0)',
    usingMetrics: {
      sent: queue.metricNumberOfMessagesSent({ statistic: 'Sum', period: PERIOD }),
      rise: new MathExpression({
        label: 'Rise of the queue total',
        period: PERIOD,
        expression: 'DIFF(FILL(FILL(visible, REPEAT), 0) + FILL(FILL(inFlight, REPEAT), 0))',
        usingMetrics: {
          visible: queue.metricApproximateNumberOfMessagesVisible(max),
          inFlight: queue.metricApproximateNumberOfMessagesNotVisible(max),
        },
      }),
    },
  });
}

/** A metric the worker emits (EMF), with the dimensions the emitter uses. */
export function syncMetric(name: string, statistic = 'Sum'): Metric {
  return new Metric({
    namespace: METRICS.namespace,
    metricName: name,
    dimensionsMap: { ...METRIC_DIMENSIONS },
    statistic,
    period: PERIOD,
  });
}

export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { config, worker, scheduler, syncQueue, deadLetterQueue, scheduleDeadLetterQueue } = props;

    // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key: it needs a
    // customer key whose policy lets it encrypt. The statement is AWS's documented one; a
    // source-account condition is not documented for this path and would silence every alarm
    // if CloudWatch does not send it.
    const key = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the exchange-sync alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: 'exchange-sync alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (config.alarmEmail) this.topic.addSubscription(new EmailSubscription(config.alarmEmail));

    const alarm = (
      alarmId: string,
      description: string,
      metric: IMetric,
      threshold: number,
      evaluationPeriods = 1,
    ): void => {
      const created = new Alarm(this, alarmId, {
        metric,
        alarmDescription: description,
        threshold,
        evaluationPeriods,
        datapointsToAlarm: evaluationPeriods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No data means nothing happened (no errors, no throttles, an empty queue).
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new SnsAction(this.topic));
      created.addOkAction(new SnsAction(this.topic));
      this.alarms.push(created);
    };

    const max = { statistic: 'Maximum', period: PERIOD };
    const sum = { statistic: 'Sum', period: PERIOD };
    // The DLQ alarms fire on new arrivals, not on depth (see deadLetterArrivals): each arrival
    // notifies, and the alarm returns to OK while old messages wait (the dashboard shows them).
    alarm(
      'DeadLetterQueueArrivals',
      'New sync jobs reached the dead-letter queue: inspect them (the reason is a message attribute ' +
        'for invalid jobs), fix the cause, then redrive.',
      deadLetterArrivals(deadLetterQueue),
      1,
    );
    alarm(
      'OldestMessageAge',
      `The oldest sync job waited over ${OLDEST_MESSAGE_ALARM_SECONDS / 60} minutes: workers are not keeping up ` +
        '(maxConcurrency, throttles or errors).',
      syncQueue.metricApproximateAgeOfOldestMessage(max),
      OLDEST_MESSAGE_ALARM_SECONDS,
      2,
    );
    alarm(
      'WorkerErrors',
      'Worker invocations failed as a whole (crash or timeout), not single jobs.',
      worker.metricErrors(sum),
      1,
    );
    alarm(
      'WorkerThrottles',
      'Lambda throttled the worker: account concurrency is exhausted.',
      worker.metricThrottles(sum),
      1,
    );
    alarm(
      'SchedulerErrors',
      'A tick failed: no new sync jobs were enqueued.',
      scheduler.metricErrors(sum),
      1,
    );
    alarm('SchedulerThrottles', 'Lambda throttled the scheduler.', scheduler.metricThrottles(sum), 1);
    alarm(
      'ScheduleDeadLetterQueueArrivals',
      'A tick was lost: EventBridge Scheduler could not invoke the scheduler, or the scheduler failed ' +
        "after Lambda's retries (the message holds the error). Later ticks run as usual.",
      deadLetterArrivals(scheduleDeadLetterQueue),
      1,
    );
    alarm(
      'EwsThrottled',
      `Exchange throttled sync calls at least ${config.ewsThrottleAlarmThreshold} times per 5 minutes for ` +
        '15 minutes: lower maxConcurrentSyncsPerMailbox or review the tenant throttling policy.',
      syncMetric(METRICS.throttled),
      config.ewsThrottleAlarmThreshold,
      3,
    );
    // Each of these needs someone, and none shows in the Lambda or queue alarms. An invalid row
    // is reported at every tick while it stays invalid, so that alarm stays in ALARM until the
    // row is fixed; a mailbox the hourly re-check parks again notifies again.
    alarm(
      'MailboxesParked',
      'A mailbox was parked and is no longer synced: a pause beyond the cap, a code an administrator ' +
        'must fix, or credentials refused. `exchange-sync status` shows the reason; fix it, then ' +
        '`exchange-sync mailbox unpark`.',
      syncMetric(METRICS.parked),
      1,
    );
    alarm(
      'ChainsStopped',
      'A folder chain stopped before its end: it reached maxHops (expected once for a first sync ' +
        'beyond maxHops pages; it resumes at the next tick), or the server kept claiming more while ' +
        'sending nothing. The cursor says which (MaxHopsExceeded, EmptyPagesNotAdvancing).',
      syncMetric(METRICS.chainsStopped),
      1,
    );
    alarm(
      'InvalidRegistryRows',
      'A mailbox registry row fails the mailbox schema: the mailbox is not synced. The scheduler log ' +
        "line 'invalid mailbox registry row skipped' names it and the problems; repair it with " +
        '`exchange-sync mailbox add --replace`.',
      syncMetric(METRICS.invalidRegistryRows),
      1,
    );

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    const graph = (title: string, left: IMetric[], right: IMetric[] = []) =>
      new GraphWidget({ title, left, right, width: 12, height: 6 });
    this.dashboard.addWidgets(
      graph(
        'Pages and changes',
        [syncMetric(METRICS.pages), syncMetric(METRICS.changes)],
        [syncMetric(METRICS.jobsEnqueued)],
      ),
      graph('EWS throttles and sync errors', [
        syncMetric(METRICS.throttled),
        syncMetric(METRICS.errors),
        syncMetric(METRICS.parked),
        syncMetric(METRICS.chainsStopped),
        syncMetric(METRICS.invalidRegistryRows),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Sync lag (seconds since the previous completed sync)', [
        syncMetric(METRICS.lagSeconds, 'Average'),
        syncMetric(METRICS.lagSeconds, 'p90'),
        syncMetric(METRICS.lagSeconds, 'Maximum'),
      ]),
      graph(
        'Sync queue',
        [
          syncQueue.metricApproximateNumberOfMessagesVisible(max),
          syncQueue.metricApproximateNumberOfMessagesNotVisible(max),
          deadLetterQueue.metricApproximateNumberOfMessagesVisible({ ...max, label: 'Dead-letter queue' }),
        ],
        [syncQueue.metricApproximateAgeOfOldestMessage({ ...max, label: 'Oldest message age (s)' })],
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Worker',
        [worker.metricInvocations(sum), worker.metricErrors(sum), worker.metricThrottles(sum)],
        [worker.metricDuration({ statistic: 'p99', period: PERIOD })],
      ),
      graph(
        'Scheduler',
        [scheduler.metricInvocations(sum), scheduler.metricErrors(sum)],
        [scheduleDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ ...max, label: 'Schedule DLQ' })],
      ),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
  }
}
