// Reads IAM statements out of a synthesized template in a comparable form, and says what each
// function needs: the AWS calls its code can make (sdk-calls.ts: which adapter, hence which table,
// queue, bucket or secret, each call goes to, and which function reaches which adapter) plus what
// Lambda itself does with the function's role.
import type { Template } from 'aws-cdk-lib/assertions';
import type { FunctionCode, SdkCallGraph } from './sdk-calls.js';

export interface FlatStatement {
  effect: string;
  actions: string[];
  resources: string[];
}

/** Flattens CloudFormation intrinsics into one string, the way cdk-nag prints them. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if ('Fn::Join' in node) {
    const [sep, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(sep);
  }
  if ('Ref' in node) return `<${node.Ref as string}>`;
  if ('Fn::GetAtt' in node) return `<${(node['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::ImportValue' in node) return `import(${flatten(node['Fn::ImportValue'])})`;
  return JSON.stringify(value);
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every statement of the inline policies attached to the role with this logical id prefix. */
export function roleStatements(template: Template, roleLogicalIdPrefix: string): FlatStatement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => list(p.Properties.Roles).some((r) => flatten(r).startsWith(`<${roleLogicalIdPrefix}`)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[])
    .map((s) => ({
      effect: s.Effect as string,
      actions: list(s.Action as string | string[]).sort(),
      resources: list(s.Resource).map(flatten),
    }));
}

/** The resources each action is allowed on, merged across statements. */
export function allowedActions(statements: FlatStatement[]): Map<string, Set<string>> {
  const allowed = new Map<string, Set<string>>();
  for (const s of statements.filter((x) => x.effect === 'Allow')) {
    for (const action of s.actions) {
      const set = allowed.get(action) ?? new Set<string>();
      for (const r of s.resources) set.add(r);
      allowed.set(action, set);
    }
  }
  return allowed;
}

/** A function, its role, its code, and what the platform does with its role (not its code). */
export interface LambdaFunction extends FunctionCode {
  /** Logical id prefix of its execution role. */
  role: string;
  /** Actions Lambda itself takes with the role, per resource label. */
  platform: Record<string, readonly string[]>;
}

const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

/**
 * The functions, as infra/stateless-stack.ts deploys them and functions/*.ts build them. `unwired`
 * is what the function's container leaves out, so no call can reach it: the scheduler's cursor
 * store reads cursors without their SyncState and has no spill (createSchedulerContainer).
 */
export const FUNCTIONS = {
  worker: {
    role: 'WorkerRole',
    entry: { file: 'functions/worker-handler.ts', name: 'createWorkerHandler' },
    unwired: [],
    platform: {
      WorkerLogs: LOGS,
      // The SQS event source mapping polls with the function's role (AWSLambdaSQSQueueExecutionRole).
      SyncQueue: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
    },
  },
  scheduler: {
    role: 'SchedulerRole',
    entry: { file: 'functions/scheduler-handler.ts', name: 'createSchedulerHandler' },
    unwired: ['SyncStateSpill'],
    platform: {
      SchedulerLogs: LOGS,
      // Lambda sends a failed tick's record to the on-failure destination with the function's role.
      ScheduleDeadLetterQueue: ['sqs:SendMessage'],
    },
  },
} as const satisfies Record<string, LambdaFunction>;

/**
 * Adapter calls no Lambda makes: operators run them from the CLI with their own credentials
 * (registering and removing mailboxes). A call that no function reaches and that is not listed
 * here fails the test, so a call the graph cannot follow does not go unnoticed.
 */
export const OPERATOR_ONLY = [
  'DynamoMailboxRegistry.put',
  'DynamoMailboxRegistry.remove',
  // mailbox purge (erasure): deletes and a bucket listing no Lambda role holds.
  'DynamoMirrorEraser.keyPages',
  'DynamoMirrorEraser.deleteFolderRows',
  'DynamoMirrorEraser.deleteKeys',
  'DynamoCursorEraser.deleteCursor',
  'S3SyncStateStore.listStates',
  // dlq list and dlq redrive: reading and deleting dead letters, which no Lambda role may do.
  'SqsDeadLetterReader.receive',
  'SqsDeadLetterReader.release',
  'SqsDeadLetterReader.delete',
  // The sync request a push notification will set (CursorStore.requestSync): no function makes it
  // yet, so no role holds it; the push handler's role will.
  'DynamoCursorStore.requestSync',
];

/**
 * The resources a customer-managed key encrypts when the deployment sets one (`encryptionKeyArn`):
 * every table, the bucket's objects and every queue. DynamoDB, S3 and SQS call KMS on the caller's
 * behalf, so using one of them implies the key's two data calls: GenerateDataKey to write, Decrypt
 * to read. No code makes these calls, which is why the check is taught them here, and only them.
 */
export const KEY_ENCRYPTED = [
  'MailboxTable',
  'CursorTable',
  'ItemTable',
  'StateBucket/*',
  'SyncQueue',
  'DeadLetterQueue',
  'ScheduleDeadLetterQueue',
];
export const KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'];

/**
 * What a function needs, per resource label: the calls its code can make plus the platform's.
 * `keyLabel`: the deployment's key, when it has one; a function that touches anything it encrypts
 * needs KEY_ACTIONS on it.
 */
export function neededGrants(
  graph: SdkCallGraph,
  fn: LambdaFunction,
  keyLabel?: string,
): Record<string, string[]> {
  const needed = new Map<string, Set<string>>();
  const add = (resource: string, action: string) =>
    needed.set(resource, (needed.get(resource) ?? new Set()).add(action));
  for (const call of graph.callsOf(fn)) add(call.resource, call.action);
  for (const [resource, actions] of Object.entries(fn.platform)) for (const a of actions) add(resource, a);
  if (keyLabel && [...needed.keys()].some((r) => KEY_ENCRYPTED.includes(r))) {
    for (const a of KEY_ACTIONS) add(keyLabel, a);
  }
  return Object.fromEntries(
    [...needed].sort(([a], [b]) => a.localeCompare(b)).map(([r, actions]) => [r, [...actions].sort()]),
  );
}

/** `resource: action` pairs in `a` and not in `b`. */
export function missingFrom(a: Record<string, string[]>, b: Record<string, string[]>): string[] {
  return Object.entries(a)
    .flatMap(([resource, actions]) =>
      actions.filter((x) => !b[resource]?.includes(x)).map((x) => `${resource}: ${x}`),
    )
    .sort();
}
