// Where a command writes and what environment it reads. The binary uses the process; tests pass
// their own so commands run in-process with captured output.

export interface CliIo {
  /** Results: tables for people, JSON for scripts. */
  out(text: string): void;
  /** Errors and notices. */
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** Epoch ms; injectable so status output can be checked against fixed times. */
  now(): number;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    env: process.env,
    now: Date.now,
  };
}
