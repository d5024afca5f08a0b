// Deployment settings, read from CDK context (`-c key=value` or cdk.json "context") and validated
// before any construct is built, so a typo fails the synth with a message naming the key.
import type { Node } from 'constructs';
import { z } from 'zod';
import { PROJECT_PREFIX, WORKER_DEFAULTS } from './resources.js';

/** The maximum SQS visibility timeout is 12 h; 6x the worker timeout must stay under it. */
const MAX_LAMBDA_TIMEOUT_SECONDS = 900;

// Context values given on the command line arrive as strings, values from cdk.json as numbers.
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const configSchema = z.object({
  /** Minutes between two scheduler ticks. */
  tickRate: int(1, 1440).default(5),
  /** Minimum minutes between two syncs of one folder started by the tick (at least tickRate). */
  syncIntervalMinutes: int(1, 10080).default(15),
  /** MaxChangesReturned per SyncFolderItems call, for mailboxes registered without one. */
  pageSize: int(1, 512).default(512),
  /**
   * Concurrent sync calls per mailbox across all workers, for mailboxes registered without a
   * value. Exchange Online allows 5 per mailbox; on-premises follows its throttling policy.
   */
  maxConcurrentSyncsPerMailbox: int(1, 50).default(4),
  workerMemoryMb: int(128, 10240).default(WORKER_DEFAULTS.memoryMb),
  /** The queue's visibility timeout (6x) and the cursor lease (+30 s) follow this value. */
  workerTimeoutSeconds: int(10, MAX_LAMBDA_TIMEOUT_SECONDS).default(WORKER_DEFAULTS.timeoutSeconds),
  /** Lambda's limit for the SQS event source: at most this many workers run at once. */
  workerMaxConcurrency: int(2, 1000).default(WORKER_DEFAULTS.maxConcurrency),
  /** Our own guard against endless follow-up chains (the next tick resumes a stopped chain). */
  maxHops: int(1, 1_000_000).default(10_000),
  /** EwsThrottled answers per 5 minutes, sustained for 15 minutes, that raise the alarm. */
  ewsThrottleAlarmThreshold: int(1, 1_000_000).default(100),
  /** Where alarms are e-mailed. Without it, subscribe to the AlarmTopic yourself. */
  alarmEmail: z.preprocess((v) => (v === '' ? undefined : v), z.email().optional()),
  /**
   * Secrets Manager name prefix (without the trailing slash). The worker may read
   * `<secretPrefix>/*` and nothing else.
   */
  secretPrefix: z
    .string()
    .regex(
      /^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/,
      'letters, digits and _+=.@- separated by "/", without leading or trailing "/"',
    )
    .default(PROJECT_PREFIX),
});

export type DeployConfig = z.output<typeof configSchema> & {
  /** Derived: SQS visibility timeout of the sync queue. */
  visibilityTimeoutSeconds: number;
  /** Derived: how long a cursor lease lives; must outlive the longest worker invocation. */
  leaseSeconds: number;
};

export const CONFIG_KEYS = Object.keys(configSchema.shape) as (keyof typeof configSchema.shape)[];

export class InfraConfigError extends Error {
  constructor(readonly issues: { key: string; message: string }[]) {
    super(
      `Invalid CDK context for ${PROJECT_PREFIX}:\n${issues
        .map((i) => `  - ${i.key}: ${i.message} (set it with: cdk deploy -c ${i.key}=<value>)`)
        .join('\n')}`,
    );
    this.name = 'InfraConfigError';
  }
}

/** Validates raw context values; unknown keys are ignored (CDK keeps its own keys there too). */
export function parseConfig(raw: Record<string, unknown>): DeployConfig {
  const picked = Object.fromEntries(CONFIG_KEYS.map((k) => [k, raw[k]]).filter(([, v]) => v !== undefined));
  const result = configSchema.safeParse(picked);
  if (!result.success) {
    throw new InfraConfigError(
      result.error.issues.map((issue) => ({
        key: issue.path.join('.') || '(context)',
        message: `${issue.message}${describeInput(picked, issue.path)}`,
      })),
    );
  }
  const c = result.data;
  return {
    ...c,
    visibilityTimeoutSeconds: c.workerTimeoutSeconds * 6,
    leaseSeconds: c.workerTimeoutSeconds + 30,
  };
}

function describeInput(raw: Record<string, unknown>, path: PropertyKey[]): string {
  const key = path[0];
  return typeof key === 'string' && key in raw ? ` (got ${JSON.stringify(raw[key])})` : '';
}

export function configFromContext(node: Node): DeployConfig {
  return parseConfig(Object.fromEntries(CONFIG_KEYS.map((k) => [k, node.tryGetContext(k)])));
}
