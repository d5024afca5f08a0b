// How each page outcome is reported: its log level, whether it is a problem an operator should
// see, and the metric it counts toward. One table, checked by the compiler to name every kind, so
// that a new kind cannot silently log at debug.
import type { PageOutcomeKind } from './outcome.js';

export type OutcomeLevel = 'debug' | 'info' | 'warn';
/** The counters of infra/resources.ts METRICS an outcome adds one to (besides pages/changes). */
export type OutcomeMetric = 'throttled' | 'parked' | 'errors' | 'chainsStopped';

export interface OutcomeClass {
  level: OutcomeLevel;
  /** A chain stopped or a mailbox needs an operator. */
  problem: boolean;
  metric?: OutcomeMetric;
}

const routine: OutcomeClass = { level: 'debug', problem: false };
const notable: OutcomeClass = { level: 'info', problem: false };
const problem: OutcomeClass = { level: 'warn', problem: true, metric: 'errors' };
/** A chain the engine stopped although the server claimed more: alarmed on its own. */
const stopped: OutcomeClass = { level: 'warn', problem: true, metric: 'chainsStopped' };

export const OUTCOME_CLASSES = {
  advanced: routine,
  completed: routine,
  'dropped-missing': notable,
  'dropped-parked': routine,
  'dropped-gone': routine,
  'dropped-stale': routine,
  duplicate: routine,
  'resent-follow-up': notable,
  'redone-completion': notable,
  'backed-off': routine,
  'no-slot': routine,
  throttled: { level: 'info', problem: false, metric: 'throttled' },
  retrying: { level: 'info', problem: false, metric: 'errors' },
  'gave-up': problem,
  resync: { level: 'info', problem: false, metric: 'errors' },
  gone: notable,
  parked: { level: 'warn', problem: true, metric: 'parked' },
  'not-advancing': stopped,
  'max-hops': stopped,
  'lease-lost': problem,
  stopped: notable,
  deferred: notable,
} as const satisfies Record<PageOutcomeKind, OutcomeClass>;
