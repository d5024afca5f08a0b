import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it, vi } from 'vitest';
import { METRICS } from '../../infra/resources.js';
import { OUTCOME_CLASSES, type OutcomeClass, type PageOutcome } from '../../lib/core/index.js';
import { JobMetrics, logger, metrics, recordInvalidRegistryRow, recordJobOutcome } from './telemetry.js';

const ROOT = join(import.meta.dirname, '../..');
const metricKeysIn = (file: string) =>
  new Set<string>(
    [...readFileSync(join(ROOT, file), 'utf8').matchAll(/METRICS\.(\w+)/g)].map((match) => match[1] ?? ''),
  );

describe('telemetry', () => {
  it('emits every metric a dashboard widget or an alarm reads', () => {
    const read = metricKeysIn('infra/monitoring.ts');
    read.delete('namespace');
    const emitted = metricKeysIn('functions/shared/telemetry.ts');
    for (const kind of Object.values(OUTCOME_CLASSES) as OutcomeClass[])
      if (kind.metric) emitted.add(kind.metric);
    expect([...read].filter((key) => !emitted.has(key))).toEqual([]);
    expect(read.size).toBeGreaterThan(3);
  });

  it('emits no metric that no alarm or dashboard widget reads', () => {
    const read = metricKeysIn('infra/monitoring.ts');
    const emitted = metricKeysIn('functions/shared/telemetry.ts');
    emitted.delete('namespace');
    for (const kind of Object.values(OUTCOME_CLASSES) as OutcomeClass[])
      if (kind.metric) emitted.add(kind.metric);
    expect([...emitted].filter((key) => !read.has(key))).toEqual([]);
  });

  it('counts chains stopped by maxHops or by empty pages apart from errors that retry', () => {
    expect(OUTCOME_CLASSES['max-hops'].metric).toBe('chainsStopped');
    expect(OUTCOME_CLASSES['not-advancing'].metric).toBe('chainsStopped');
    expect(OUTCOME_CLASSES.parked.metric).toBe('parked');
  });

  it('reports how far behind a folder was when its chain completes (SyncLagSeconds)', () => {
    const added = vi.spyOn(metrics, 'addMetric');
    const outcome: PageOutcome = {
      outcome: 'completed',
      type: 'folder',
      mailboxId: 'a@example.com',
      folderId: 'f',
      jobId: 'j',
      hop: 0,
      pages: 1,
      changes: { written: 0, unchanged: 0, fenced: 0 },
      enqueued: 0,
      lagMs: 900_400,
    };
    recordJobOutcome(outcome);
    expect(added).toHaveBeenCalledWith(METRICS.lagSeconds, 'Seconds', 900);
    added.mockRestore();
  });

  it('logs and counts a registry row that fails the mailbox schema, without its values', () => {
    const added = vi.spyOn(metrics, 'addMetric');
    const warned = vi.spyOn(logger, 'warn').mockImplementation(() => {});
    recordInvalidRegistryRow({
      mailboxId: 'a@example.com',
      issues: ['pageSize: must be at most 512'],
      operation: 'list',
    });
    expect(added).toHaveBeenCalledWith(METRICS.invalidRegistryRows, 'Count', 1);
    expect(warned).toHaveBeenCalledWith('invalid mailbox registry row skipped', {
      mailboxId: 'a@example.com',
      issues: ['pageSize: must be at most 512'],
      operation: 'list',
    });
  });

  it('flushes without the empty-metrics warning when an invocation added none, and publishes what one added', () => {
    const warnings = (make: (options: ConstructorParameters<typeof Metrics>[0]) => Metrics) => {
      const warn = vi.fn();
      const sink = { debug() {}, info() {}, warn, error() {} };
      const flushed = make({ namespace: 'n', serviceName: 's', logger: sink });
      flushed.publishStoredMetrics();
      return warn.mock.calls.length;
    };
    // The plain utility warns on every empty flush: that is what JobMetrics avoids.
    expect(warnings((options) => new Metrics(options))).toBe(1);
    expect(warnings((options) => new JobMetrics(options))).toBe(0);

    const published = new JobMetrics({ namespace: 'n', serviceName: 's' });
    const flushed = vi.spyOn(Metrics.prototype, 'publishStoredMetrics').mockReturnThis();
    published.publishStoredMetrics();
    expect(flushed).not.toHaveBeenCalled();
    published.addMetric('Pages', 'Count', 1);
    published.publishStoredMetrics();
    expect(flushed).toHaveBeenCalledTimes(1);
    flushed.mockRestore();
  });
});
