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
  /**
   * Mailboxes whose EWS calls are refused with HTTP 403 and X-EWS-Policy-Reason, as Exchange
   * Online answers once EWS is disabled for a user or tenant (from October 2026).
   */
  ewsBlockedMailboxes: z.array(z.string()),
  /** Microsoft Graph (simulator/graph/). Realism rates are rolled per request from the fault seed. */
  graph: z.object({
    /** Share of delta pages answered with no entries but a nextLink (the round goes on). */
    emptyPageRate: rate,
    /** Share of delta pages that repeat entries already delivered (in the page or an earlier round). */
    replayRate: rate,
    /** Share of requests carrying a token that get 410 Gone syncStateNotFound (the token expired). */
    tokenExpiryRate: rate,
    /** Shuffle the entries of each delta page (Graph guarantees no order). */
    shuffle: z.boolean(),
    /** Graph requests allowed in flight per mailbox (MailboxConcurrency); more get 429. */
    concurrentRequests: z.number().int().min(1),
    /** Retry-After seconds sent with 429. */
    retryAfterSeconds: z.number().int().min(0),
    /** Page size without Prefer: odata.maxpagesize. */
    defaultPageSize: z.number().int().min(1),
    /** Largest odata.maxpagesize honoured; larger requests are capped. */
    maxPageSize: z.number().int().min(1),
    /** Mailboxes the application may not read: 403 ErrorAccessDenied. */
    forbiddenMailboxes: z.array(z.string()),
  }),
});

export type SimulatorConfig = z.infer<typeof simulatorConfigSchema>;

export type SimulatorConfigPatch = Partial<Omit<SimulatorConfig, 'latency' | 'faults' | 'graph'>> & {
  latency?: Partial<SimulatorConfig['latency']>;
  faults?: Partial<SimulatorConfig['faults']>;
  graph?: Partial<SimulatorConfig['graph']>;
};

export const simulatorConfigPatchSchema = simulatorConfigSchema
  .extend({
    latency: simulatorConfigSchema.shape.latency.partial(),
    faults: simulatorConfigSchema.shape.faults.partial(),
    graph: simulatorConfigSchema.shape.graph.partial(),
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
    ewsBlockedMailboxes: [],
    // Realism is opt-in (all rates 0, no shuffle) so a default run is deterministic and fast;
    // tests of client robustness switch it on.
    graph: {
      emptyPageRate: 0,
      replayRate: 0,
      tokenExpiryRate: 0,
      shuffle: false,
      concurrentRequests: 4,
      retryAfterSeconds: 1,
      defaultPageSize: 10,
      maxPageSize: 1000,
      forbiddenMailboxes: [],
    },
  };
}

export function mergeConfig(base: SimulatorConfig, patch: SimulatorConfigPatch): SimulatorConfig {
  return simulatorConfigSchema.parse({
    ...base,
    ...patch,
    latency: { ...base.latency, ...patch.latency },
    faults: { ...base.faults, ...patch.faults },
    graph: { ...base.graph, ...patch.graph },
  });
}
