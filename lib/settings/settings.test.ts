import { describe, expect, it } from 'vitest';
import { DEFAULT_CORE_CONFIG } from '../core/config.js';
import { MAX_CONCURRENT_SYNCS_LIMIT, MAX_PAGE_SIZE } from '../core/model-schema.js';
import { keysOf, readSettings } from './read.js';
import {
  CONTEXT_SETTINGS,
  ENV_SETTINGS,
  envValue,
  MAX_CONCURRENT_SYNCS_BY_SOURCE,
  SETTINGS,
  type Setting,
  type SettingName,
} from './settings.js';

const NAMES = Object.keys(SETTINGS) as SettingName[];

describe('the settings table', () => {
  it("gives the core's defaults (the core gets a plain config and never imports the table)", () => {
    expect(DEFAULT_CORE_CONFIG.maxHops).toBe(SETTINGS.maxHops.default);
    expect(DEFAULT_CORE_CONFIG.syncIntervalMs).toBe(SETTINGS.syncIntervalMinutes.default * 60_000);
    expect(DEFAULT_CORE_CONFIG.leaseMs).toBe(SETTINGS.leaseMs.default);
    expect(DEFAULT_CORE_CONFIG.pagesPerInvocation).toBe(SETTINGS.pagesPerInvocation.default);
  });

  it('holds the chosen values (docs/ARCHITECTURE.md, "Settings")', () => {
    expect(SETTINGS.maxHops.default).toBe(500);
    expect(SETTINGS.syncIntervalMinutes.default).toBe(15);
    expect(SETTINGS.maxConcurrentSyncsPerMailbox.range).toEqual([1, 50]);
    expect(MAX_CONCURRENT_SYNCS_BY_SOURCE).toEqual({ ews: 50, graph: 4 });
  });

  it('allows what a stored mailbox row allows, no more and no less', () => {
    expect(SETTINGS.pageSize.range).toEqual([1, MAX_PAGE_SIZE]);
    expect(SETTINGS.maxConcurrentSyncsPerMailbox.range).toEqual([1, MAX_CONCURRENT_SYNCS_LIMIT]);
    expect(MAX_CONCURRENT_SYNCS_BY_SOURCE.ews).toBe(MAX_CONCURRENT_SYNCS_LIMIT);
    expect(SETTINGS.maxConcurrentSyncsPerMailbox.default).toBeLessThanOrEqual(
      MAX_CONCURRENT_SYNCS_BY_SOURCE.graph,
    );
  });

  it.each(NAMES)('%s: its default passes its own schema, and it is read from somewhere', (name) => {
    const row: Setting = SETTINGS[name];
    expect(row.env ?? row.context).toBeDefined();
    // As a string: the form every source can give.
    if (row.default !== undefined) expect(row.schema.parse(String(row.default))).toEqual(row.default);
    if (row.range) {
      const [min, max] = row.range;
      expect(row.schema.safeParse(min).success && row.schema.safeParse(max).success).toBe(true);
      expect(row.schema.safeParse(min - 1).success || row.schema.safeParse(max + 1).success).toBe(false);
    }
    expect(row.description.length).toBeGreaterThan(10);
  });

  it('names each key and variable once', () => {
    for (const source of ['env', 'context'] as const) {
      const keys = keysOf(source);
      expect(new Set(keys).size).toBe(keys.length);
    }
    expect(CONTEXT_SETTINGS.map((n) => SETTINGS[n].context)).toEqual(keysOf('context'));
    expect(ENV_SETTINGS.map((n) => SETTINGS[n].env)).toEqual(keysOf('env'));
    // Context keys are plain identifiers, so infra/config.ts can tell them from the CDK's own.
    for (const key of keysOf('context')) expect(key).toMatch(/^[a-z][A-Za-z]*$/);
  });

  it('round-trips every environment form', () => {
    for (const name of ENV_SETTINGS) {
      const value = SETTINGS[name].default;
      const read = readSettings([name], 'env', { [SETTINGS[name].env]: envValue(name, value as never) });
      expect(read).toEqual({ success: true, values: { [name]: value } });
    }
  });
});

describe('readSettings', () => {
  it('takes context values as the CLI passes them (strings) and as cdk.json does (numbers)', () => {
    expect(readSettings(['tickRate', 'maxHops'], 'context', { tickRate: '10', maxHops: 40 })).toEqual({
      success: true,
      values: { tickRate: 10, maxHops: 40 },
    });
  });

  it('takes the default for absent, null and empty values', () => {
    const read = readSettings(['tickRate', 'alarmEmail'], 'context', { tickRate: null, alarmEmail: '' });
    expect(read).toEqual({ success: true, values: { tickRate: 5, alarmEmail: undefined } });
  });

  it('reports every refused value with its key, message and what it got', () => {
    const read = readSettings(['tickRate', 'maxHops', 'alarmEmail'], 'context', {
      tickRate: '0',
      maxHops: 'soon',
      alarmEmail: 'nobody',
    });
    expect(read.success).toBe(false);
    expect(!read.success && read.issues).toEqual([
      { key: 'tickRate', setting: 'tickRate', message: 'must be at least 1', got: '0' },
      { key: 'maxHops', setting: 'maxHops', message: 'must be a number', got: 'soon' },
      { key: 'alarmEmail', setting: 'alarmEmail', message: 'must be an e-mail address', got: 'nobody' },
    ]);
  });

  it('refuses to read a setting from a source that does not carry it', () => {
    expect(() => readSettings(['leaseMs'], 'context', {})).toThrow(/leaseMs is not read from context/);
  });
});
