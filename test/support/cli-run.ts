// Running the CLI in-process as the operator tests do: output captured, the SDK pointed at the
// local stand-ins' dummy credentials.
import { beforeAll, vi } from 'vitest';
import type { CliIo } from '../../cli/operator/io.js';
import { runCli } from '../../cli/operator/program.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/local-aws-clients.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The composition root's SDK clients read region and credentials from the process environment. */
export function useLocalSdkCredentials(): void {
  beforeAll(() => {
    vi.stubEnv('AWS_REGION', LOCAL_REGION);
    vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_CREDENTIALS.secretAccessKey);
    vi.stubEnv('AWS_PROFILE', undefined);
  });
}

/** Runs `exchange-sync <args>` with `env` as its environment; returns exit code and output. */
export async function runCliCaptured(
  args: string[],
  env: CliIo['env'],
  now: () => number = Date.now,
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    env,
    now,
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}
