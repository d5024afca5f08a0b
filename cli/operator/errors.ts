// Errors the CLI reports as a one-line message (no stack trace). Usage errors exit with 2,
// failures of an operation with 1.

/** The command line or the configuration is wrong: fixing the invocation fixes it. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Required configuration is missing or malformed; names each variable and its flag. */
export class MissingConfigurationError extends UsageError {
  constructor(readonly settings: { variable: string; flag: string; problem: string }[]) {
    super(
      `missing or invalid configuration: ${settings
        .map((s) => `${s.variable} (or ${s.flag}): ${s.problem}`)
        .join('; ')}`,
    );
  }
}

/** The operation was understood but could not be done (unknown mailbox, folder in use, ...). */
export class OperationError extends Error {
  override readonly name = 'OperationError';
}

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
