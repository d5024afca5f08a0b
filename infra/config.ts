// Deployment settings, read from CDK context (`-c key=value` or cdk.json "context") and validated
// before any construct is built, so a typo fails the synth with a message naming the key. The
// keys, defaults and ranges are the settings table's (lib/settings), which the handlers and the
// CLI read too. A key that is not a setting is refused: `-c alarmemail=...` would otherwise
// deploy alarms that e-mail nobody.
import { readFileSync } from 'node:fs';
import type { Node } from 'constructs';
import {
  CONTEXT_SETTINGS,
  keysOf,
  LEASE_MARGIN_SECONDS,
  readSettings,
  type Settings,
} from '../lib/settings/index.js';
import { PROJECT_PREFIX } from './resources.js';

export type DeployConfig = Settings<(typeof CONTEXT_SETTINGS)[number]> & {
  /** Derived: SQS visibility timeout of the sync queue (AWS recommends 6x the function timeout). */
  visibilityTimeoutSeconds: number;
  /** Derived: how long a cursor lease lives; must outlive the longest worker invocation. */
  leaseSeconds: number;
};

/** The context keys that are settings, in table order. */
export const CONFIG_KEYS = keysOf('context');

export interface ConfigIssue {
  key: string;
  message: string;
  /** `unknown`: the key is not a setting; `invalid`: its value is refused. */
  kind: 'invalid' | 'unknown';
}

export class InfraConfigError extends Error {
  override readonly name = 'InfraConfigError';
  constructor(readonly issues: ConfigIssue[]) {
    const lines = issues.map((i) =>
      i.kind === 'unknown'
        ? `  - ${i.key}: ${i.message}`
        : `  - ${i.key}: ${i.message} (set it with: cdk deploy -c ${i.key}=<value>)`,
    );
    const valid = issues.some((i) => i.kind === 'unknown') ? [`Valid keys: ${CONFIG_KEYS.join(', ')}`] : [];
    super([`Invalid CDK context for ${PROJECT_PREFIX}:`, ...lines, ...valid].join('\n'));
  }
}

/**
 * Context keys that belong to the CDK or a construct library, not to us: feature flags
 * (`@aws-cdk/core:...`), the CLI's own (`aws:cdk:...`, `cdk-...`) and cached lookups
 * (`availability-zones:account=...`). Ours are plain identifiers.
 */
export function isForeignContextKey(key: string): boolean {
  return key.startsWith('@') || key.startsWith('cdk-') || key.includes(':') || key.includes('/');
}

/** The keys cdk.json sets for the CDK itself (e.g. `cli-telemetry`), accepted as they are. */
export function cdkJsonContextKeys(path = new URL('../cdk.json', import.meta.url)): string[] {
  const cdkJson = JSON.parse(readFileSync(path, 'utf8')) as { context?: Record<string, unknown> };
  return Object.keys(cdkJson.context ?? {});
}

function unknownKeys(raw: Record<string, unknown>, alsoAllowed: readonly string[]): ConfigIssue[] {
  const known = new Set([...CONFIG_KEYS, ...alsoAllowed]);
  return Object.keys(raw)
    .filter((key) => !known.has(key) && !isForeignContextKey(key))
    .map((key) => {
      const meant = CONFIG_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
      return {
        key,
        kind: 'unknown',
        message: `not a setting of ${PROJECT_PREFIX}${meant ? ` (did you mean ${meant}?)` : ''}`,
      };
    });
}

/**
 * Validates the whole context: every setting's value, and that no key is unknown. `alsoAllowed`:
 * keys of the CDK that do not look like it (those of cdk.json).
 */
export function parseConfig(raw: Record<string, unknown>, alsoAllowed: readonly string[] = []): DeployConfig {
  const unknown = unknownKeys(raw, alsoAllowed);
  const read = readSettings(CONTEXT_SETTINGS, 'context', raw);
  const invalid: ConfigIssue[] = read.success
    ? []
    : read.issues.map((i) => ({
        key: i.key,
        kind: 'invalid',
        message: `${i.message} (got ${JSON.stringify(i.got)})`,
      }));
  if (!read.success || unknown.length > 0) throw new InfraConfigError([...invalid, ...unknown]);
  const c = read.values;
  return {
    ...c,
    visibilityTimeoutSeconds: c.workerTimeoutSeconds * 6,
    leaseSeconds: c.workerTimeoutSeconds + LEASE_MARGIN_SECONDS,
  };
}

export function configFromContext(node: Node): DeployConfig {
  return parseConfig(node.getAllContext(), cdkJsonContextKeys());
}
