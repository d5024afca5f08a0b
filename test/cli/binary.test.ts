// The installed entry point (bin -> tsx -> cli/main.ts) maps outcomes to process exit codes.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/exchange-sync.js', import.meta.url));

function run(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    // No AWS configuration at all: these invocations must fail before any network call.
    const clean = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env };
    execFile(process.execPath, [BIN, ...args], { env: clean }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

describe('bin/exchange-sync.js', () => {
  it('exits 0 with the version, 2 on missing configuration, without a stack trace', async () => {
    const [version, missing] = await Promise.all([run(['--version']), run(['status'])]);
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('MAILBOX_TABLE (or --mailbox-table)');
    expect(missing.stderr).toContain('CURSOR_TABLE (or --cursor-table)');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});
