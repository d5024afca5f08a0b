import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyEnvFile,
  EnvFileError,
  formatEnvLines,
  parseEnvFile,
  quoteEnvValue,
  readEnvFile,
} from './env-file.js';
import type { CliIo } from './io.js';
import { runCli } from './program.js';

const dir = mkdtempSync(join(tmpdir(), 'env-file-'));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('parseEnvFile', () => {
  it('reads KEY=value lines with comments, blank lines, export and quotes', () => {
    const text = [
      '# written by exchange-sync dev',
      '',
      'MAILBOX_TABLE=exchange-sync-dev-Mailboxes',
      '  export SQS_ENDPOINT=http://127.0.0.1:4566  ',
      "LIST='user1@contoso.test user2@contoso.test'",
      'QUOTED="a \\"b\\" \\$c \\\\ d"',
      'TRAILING=value # a comment',
      "HASH='x # not a comment'",
      'EMPTY=',
      'SPACED = around ',
      'WINDOWS=crlf\r',
    ].join('\n');
    expect(parseEnvFile(text, 'f')).toEqual({
      MAILBOX_TABLE: 'exchange-sync-dev-Mailboxes',
      SQS_ENDPOINT: 'http://127.0.0.1:4566',
      LIST: 'user1@contoso.test user2@contoso.test',
      QUOTED: 'a "b" $c \\ d',
      TRAILING: 'value',
      HASH: 'x # not a comment',
      EMPTY: '',
      SPACED: 'around',
      WINDOWS: 'crlf',
    });
  });

  it.each([
    ['no equals sign', 'JUST_A_WORD', 2],
    ['a key that is not a name', '1ABC=x', 2],
    ['an unterminated quote', "A='open", 2],
    ['text after a quoted value', "A='x' y", 2],
  ])('refuses %s, naming the file and the line', (_what, line, lineNumber) => {
    const attempt = () => parseEnvFile(`# first\n${line}\n`, '/tmp/x.env');
    expect(attempt).toThrow(EnvFileError);
    expect(attempt).toThrow(`--env-file /tmp/x.env, line ${lineNumber}:`);
  });

  it('reads back what formatEnvLines writes, and a shell sources the same values', () => {
    const values = {
      URL: 'http://sqs.us-east-1.localhost:4566/000000000000/q',
      LIST: 'a@b.test c@d.test',
      ODD: 'x;y&z$HOME',
      EMPTY: '',
    };
    const text = formatEnvLines(values);
    expect(parseEnvFile(text, 'f')).toEqual(values);
    const path = file('round-trip.env', text);
    const sourced = execFileSync(
      'sh',
      ['-c', `. "${path}"; printf '%s|%s|%s|%s' "$URL" "$LIST" "$ODD" "$EMPTY"`],
      {
        encoding: 'utf8',
      },
    );
    expect(sourced).toBe(`${values.URL}|${values.LIST}|${values.ODD}|`);
    expect(formatEnvLines({ A: 'b' }, 'export ')).toBe('export A=b\n');
  });

  it('refuses to quote what it could not read back', () => {
    expect(() => quoteEnvValue("it's")).toThrow(RangeError);
  });
});

describe('readEnvFile and applyEnvFile', () => {
  it('a missing file is a usage error naming it', () => {
    const missing = join(dir, 'missing.env');
    expect(() => readEnvFile(missing)).toThrow(EnvFileError);
    expect(() => readEnvFile(missing)).toThrow(`--env-file ${missing}: no such file`);
  });

  it('fills only what the environment does not set', () => {
    const env: Record<string, string | undefined> = { REGION: 'real', EMPTY: '' };
    applyEnvFile(env, { REGION: 'file', EMPTY: 'file', NEW: 'file' });
    expect(env).toEqual({ REGION: 'real', EMPTY: '', NEW: 'file' });
  });
});

describe('--env-file on operator commands', () => {
  function io(env: Record<string, string | undefined>) {
    const captured = { out: '', err: '' };
    const cliIo: CliIo = {
      out: (text) => {
        captured.out += text;
      },
      err: (text) => {
        captured.err += text;
      },
      env,
      now: () => 0,
    };
    return { cliIo, captured };
  }

  it('a missing file exits 2 with one line naming it', async () => {
    const missing = join(dir, 'nowhere.env');
    const { cliIo, captured } = io({});
    expect(await runCli(['status', '--env-file', missing], cliIo)).toBe(2);
    expect(captured.err).toBe(
      `error: --env-file ${missing}: no such file (exchange-sync dev --env-file <file> writes one)\n`,
    );
  });

  it('settings come from the file, under the environment and the flags', async () => {
    // Fails before any network call: the cursor table is set nowhere, so the error lists what is
    // missing, and the file's mailbox table is not among it.
    const path = file('partial.env', 'MAILBOX_TABLE=from-file\nDEFAULT_PAGE_SIZE=77\n');
    const env: Record<string, string | undefined> = { DEFAULT_PAGE_SIZE: '55' };
    const { cliIo, captured } = io(env);
    expect(await runCli(['mailbox', 'list', '--env-file', path, '--mailbox-table', ''], cliIo)).toBe(2);
    expect(env).toMatchObject({ MAILBOX_TABLE: 'from-file', DEFAULT_PAGE_SIZE: '55' });

    const second = io({});
    expect(await runCli(['status', '--env-file', path], second.cliIo)).toBe(2);
    expect(second.captured.err).toContain('CURSOR_TABLE (or --cursor-table)');
    expect(second.captured.err).not.toContain('MAILBOX_TABLE');
    expect(captured.err).toContain('MAILBOX_TABLE (or --mailbox-table)');
  });
});
