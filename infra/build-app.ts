// Builds both stacks into an app and attaches cdk-nag. Separate from app.ts so tests can build
// the same app with their own context (e.g. bundling off).
import { Annotations, type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFromContext } from './config.js';
import { StatefulStack } from './stateful-stack.js';
import { StatelessStack } from './stateless-stack.js';

export const STACK_NAMES = { stateful: 'ExchangeSync-Data', stateless: 'ExchangeSync-Sync' } as const;

export function buildApp(app: App): { stateful: StatefulStack; stateless: StatelessStack } {
  const config = configFromContext(app.node);
  // Environment-agnostic: `cdk deploy` targets the CLI's account and region, synth needs neither.
  const stateful = new StatefulStack(app, STACK_NAMES.stateful, {
    description:
      'exchange-sync data: mailbox registry, cursors, item mirror (+ change feed), SyncState bucket',
    encryptionKeyArn: config.encryptionKeyArn,
  });
  const stateless = new StatelessStack(app, STACK_NAMES.stateless, {
    description:
      'exchange-sync compute: tick schedule, scheduler and worker functions, sync queue, monitoring',
    config,
    mailboxTable: stateful.mailboxTable,
    cursorTable: stateful.cursorTable,
    itemTable: stateful.itemTable,
    stateBucket: stateful.stateBucket,
    encryptionKey: stateful.encryptionKey,
  });
  stateless.addStackDependency(stateful);
  if (!config.alarmEmail) {
    // Not an error: an operator may subscribe a pager or a chat to the topic instead. But a
    // first deploy without it (or with a misspelt key) must not look like alarms are on.
    Annotations.of(stateless.monitoring.topic).addWarningV2(
      'exchange-sync:no-alarm-email',
      'No alarmEmail is set: the alarms go to the AlarmTopic, which nobody is subscribed to. ' +
        'Deploy with -c alarmEmail=ops@example.com, or subscribe to the AlarmTopicArn output yourself.',
    );
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stateful, stateless };
}
