// Runtime configuration: behaviour, throttling and fault injection. Changeable while serving
// (programmatically or PUT /_sim/config); validated with zod so a bad admin call is a 400.
import { z } from 'zod';

const rate = z.number().min(0).max(1);

export const simulatorConfigSchema = z.object({
  /** Exchange Online sends the newest changes first; false walks from the oldest. */
  newestFirst: z.boolean(),
  /** SyncFolderItems/SyncFolderHierarchy calls allowed in flight per mailbox. */
  concurrentSyncCalls: z.number().int().min(1),
  /** BackOffMilliseconds sent with ErrorServerBusy. */
  backOffMs: z.number().int().min(0),
  /** Share of throttle answers sent as HTTP 500 SOAP faults; the rest are ResponseMessage errors (HTTP 200). */
  throttleFaultRatio: rate,
  /** EWS requests allowed per mailbox per rolling minute; 0 = unlimited. */
  requestsPerMinute: z.number().int().min(0),
  /** Mailboxes the service account may not impersonate (ErrorImpersonateUserDenied). */
  impersonationDenied: z.array(z.string()),
  latency: z.object({ fixedMs: z.number().min(0), jitterMs: z.number().min(0) }),
  faults: z.object({
    /** HTTP 503 with Retry-After, as IIS answers when its queue is full. */
    http503: rate,
    retryAfterSeconds: z.number().int().min(0),
    /** HTTP 500 SOAP fault ErrorInternalServerTransientError. */
    transient500: rate,
    /** A complete HTTP response whose XML body is cut in half. */
    truncate: rate,
    /** The connection breaks after half of the body (Content-Length announces all of it). */
    cutConnection: rate,
    /** The connection is closed without an answer. */
    drop: rate,
    /** Item text carries invalid XML 1.0 control-character references (&#x1;), as Exchange emits. */
    controlChars: rate,
  }),
  /** Seed of the fault schedule (latency jitter and every fault roll). */
  faultSeed: z.number().int(),
});

export type SimulatorConfig = z.infer<typeof simulatorConfigSchema>;

export type SimulatorConfigPatch = Partial<Omit<SimulatorConfig, 'latency' | 'faults'>> & {
  latency?: Partial<SimulatorConfig['latency']>;
  faults?: Partial<SimulatorConfig['faults']>;
};

export const simulatorConfigPatchSchema = simulatorConfigSchema
  .extend({
    latency: simulatorConfigSchema.shape.latency.partial(),
    faults: simulatorConfigSchema.shape.faults.partial(),
  })
  .partial()
  .strict();

export function defaultConfig(seed: number): SimulatorConfig {
  return {
    newestFirst: true,
    concurrentSyncCalls: 5,
    backOffMs: 5000,
    throttleFaultRatio: 0,
    requestsPerMinute: 0,
    impersonationDenied: [],
    latency: { fixedMs: 0, jitterMs: 0 },
    faults: {
      http503: 0,
      retryAfterSeconds: 5,
      transient500: 0,
      truncate: 0,
      cutConnection: 0,
      drop: 0,
      controlChars: 0,
    },
    faultSeed: seed,
  };
}

export function mergeConfig(base: SimulatorConfig, patch: SimulatorConfigPatch): SimulatorConfig {
  return simulatorConfigSchema.parse({
    ...base,
    ...patch,
    latency: { ...base.latency, ...patch.latency },
    faults: { ...base.faults, ...patch.faults },
  });
}
