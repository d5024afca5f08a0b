// Reading settings from where they arrive: CDK context (the stack) or the environment (the
// handlers and the CLI). Both go through the table's schema, so a value the stack accepts is one
// the handlers accept, and each problem names the key or variable the user typed.
import { SETTINGS, type Setting, type SettingName, type Settings } from './settings.js';

export type SettingSource = 'env' | 'context';

export interface SettingIssue<N extends SettingName = SettingName> {
  /** What the user typed: the variable (env) or the context key. */
  key: string;
  setting: N;
  message: string;
  /** The value that was refused, as given. */
  got: unknown;
}

export type SettingsRead<N extends SettingName> =
  | { success: true; values: Settings<N> }
  | { success: false; issues: SettingIssue<N>[] };

/** The name a setting has in a source; a setting that source does not carry is a programming error. */
export function keyOf(name: SettingName, source: SettingSource): string {
  const key = SETTINGS[name][source];
  if (key === undefined) throw new Error(`setting ${name} is not read from ${source}`);
  return key;
}

/**
 * Reads the named settings from `raw` (keyed by variable or context key). Absent, null and empty
 * values take the default: an empty variable or `-c key=` means "not set".
 */
export function readSettings<N extends SettingName>(
  names: readonly N[],
  source: SettingSource,
  raw: Readonly<Record<string, unknown>>,
): SettingsRead<N> {
  const values: Partial<Record<SettingName, unknown>> = {};
  const issues: SettingIssue<N>[] = [];
  for (const name of names) {
    const row: Setting = SETTINGS[name];
    const key = keyOf(name, source);
    const given = raw[key];
    if (given === undefined || given === null || given === '') {
      values[name] = row.default;
      continue;
    }
    const input = source === 'env' && row.fromEnv && typeof given === 'string' ? row.fromEnv(given) : given;
    const parsed = row.schema.safeParse(input);
    if (parsed.success) values[name] = parsed.data;
    else
      issues.push(
        ...parsed.error.issues.map((issue) => ({ key, setting: name, message: issue.message, got: given })),
      );
  }
  return issues.length > 0 ? { success: false, issues } : { success: true, values: values as Settings<N> };
}

/** Every key a source accepts, in table order (for "valid keys are ..." messages). */
export function keysOf(source: SettingSource): string[] {
  return (Object.keys(SETTINGS) as SettingName[]).flatMap((name) => SETTINGS[name][source] ?? []);
}
