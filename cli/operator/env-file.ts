// Settings files of KEY=value lines: `exchange-sync dev --env-file F` writes one, and every
// operator command reads one with `--env-file F`. The format is the common subset of POSIX sh and
// dotenv, so the same file can also be sourced by a shell (`. ./F`) for the URLs it holds.
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

/** An env file that cannot be read or has a line that is not `KEY=value`. */
export class EnvFileError extends UsageError {
  constructor(
    readonly path: string,
    problem: string,
    readonly line?: number,
  ) {
    super(`--env-file ${path}${line === undefined ? '' : `, line ${line}`}: ${problem}`);
  }
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Values a shell takes as they are, without quotes. */
const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]*$/;

/**
 * Parses KEY=value lines. Blank lines and `#` comments are allowed, so is an `export ` prefix;
 * a value may be in single quotes (taken literally) or double quotes (`\"`, `\\`, `\$` and `` \` ``
 * unescaped); an unquoted value ends at ` #`.
 */
export function parseEnvFile(text: string, path: string): Record<string, string> {
  const values: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const assignment = line.replace(/^export\s+/, '');
    const equals = assignment.indexOf('=');
    const key = equals < 0 ? assignment : assignment.slice(0, equals).trim();
    if (equals < 0 || !KEY.test(key)) {
      throw new EnvFileError(path, `expected KEY=value, found "${line.slice(0, 60)}"`, index + 1);
    }
    values[key] = unquote(assignment.slice(equals + 1).trim(), path, index + 1);
  });
  return values;
}

function unquote(value: string, path: string, line: number): string {
  const quote = value[0];
  if (quote !== "'" && quote !== '"') return value.replace(/\s+#.*$/, '');
  const end = quote === "'" ? value.indexOf("'", 1) : closingDoubleQuote(value);
  if (end < 0) throw new EnvFileError(path, `unterminated ${quote} quote`, line);
  const rest = value.slice(end + 1).trim();
  if (rest !== '' && !rest.startsWith('#')) {
    throw new EnvFileError(path, `unexpected text after the quoted value: "${rest.slice(0, 40)}"`, line);
  }
  const inner = value.slice(1, end);
  return quote === "'" ? inner : inner.replace(/\\(["\\$`])/g, '$1');
}

function closingDoubleQuote(value: string): number {
  for (let i = 1; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '"') return i;
  }
  return -1;
}

/** Reads and parses an env file; a missing or unreadable file is a usage error naming it. */
export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EnvFileError(
      path,
      code === 'ENOENT'
        ? 'no such file (exchange-sync dev --env-file <file> writes one)'
        : `cannot be read (${code ?? String(error)})`,
    );
  }
  return parseEnvFile(text, path);
}

/**
 * Sets the file's values where the environment has none: the real environment wins over the
 * file (flags win over both, later, where they are applied).
 */
export function applyEnvFile(env: Record<string, string | undefined>, values: Record<string, string>): void {
  for (const [key, value] of Object.entries(values)) {
    if (env[key] === undefined) env[key] = value;
  }
}

/** A value as sh and parseEnvFile both read it back. */
export function quoteEnvValue(value: string): string {
  if (SHELL_SAFE.test(value)) return value;
  // Single quotes keep everything literal; no value we write contains one.
  if (value.includes("'")) throw new RangeError(`cannot quote a value containing ': ${value}`);
  return `'${value}'`;
}

/** KEY=value lines, optionally prefixed (`export `), each value quoted where a shell needs it. */
export function formatEnvLines(values: Record<string, string>, prefix = ''): string {
  return Object.entries(values)
    .map(([key, value]) => `${prefix}${key}=${quoteEnvValue(value)}\n`)
    .join('');
}
