// What stands between an authenticated Graph request and its answer: the app's permission on the
// mailbox (403), the shared fault knobs of the EWS side (dropped connection, 503 + Retry-After,
// transient 500; rolled from the Graph fault schedule) and MailboxConcurrency (429 + Retry-After
// once `graph.concurrentRequests` requests of the mailbox are in flight).
import type { SimulatorConfig } from '../config.js';
import type { Random } from '../random.js';
import type { SimulatorStats } from '../stats.js';

export interface Refusal {
  /** 0: drop the connection without an answer. */
  status: number;
  code: string;
  message: string;
  /** For the request log: the error code or the injected fault. */
  outcome: string;
  headers?: Record<string, string>;
}

/** Undefined when the request may proceed; counts faults and throttling in `stats`. */
export function admit(
  config: SimulatorConfig,
  stats: SimulatorStats,
  rng: Random,
  smtp: string,
): Refusal | undefined {
  if (config.graph.forbiddenMailboxes.some((m) => m.toLowerCase() === smtp)) {
    const message = 'Access is denied. Check credentials and try again.';
    return { status: 403, code: 'ErrorAccessDenied', message, outcome: 'ErrorAccessDenied' };
  }
  const faults = config.faults;
  if (rng.chance(faults.drop)) {
    stats.countFault('drop');
    return { status: 0, code: '', message: '', outcome: 'fault:drop' };
  }
  if (rng.chance(faults.http503)) {
    stats.countFault('http503');
    return {
      status: 503,
      code: 'ServiceUnavailable',
      message: 'The service is temporarily unavailable. Try again later.',
      outcome: 'fault:http503',
      headers: { 'Retry-After': String(faults.retryAfterSeconds) },
    };
  }
  if (rng.chance(faults.transient500)) {
    stats.countFault('transient500');
    const code = 'ErrorInternalServerTransientError';
    return {
      status: 500,
      code,
      message: 'An internal server error occurred. Try again later.',
      outcome: code,
    };
  }
  if (stats.inFlightGraph(smtp) >= config.graph.concurrentRequests) {
    stats.graphThrottled++;
    return {
      status: 429,
      code: 'ApplicationThrottled',
      message: 'Application is over its MailboxConcurrency limit.',
      outcome: 'ApplicationThrottled',
      headers: { 'Retry-After': String(config.graph.retryAfterSeconds) },
    };
  }
  return undefined;
}
