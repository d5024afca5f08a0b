import { spawnSync } from 'node:child_process';

/** Java is missing or too old for DynamoDB Local. */
export class JavaRuntimeError extends Error {
  override readonly name = 'JavaRuntimeError';
  constructor(
    readonly requiredMajor: number,
    readonly foundVersion: string | undefined,
    readonly javaPath: string,
  ) {
    super(
      foundVersion === undefined
        ? `DynamoDB Local needs Java ${requiredMajor}+, but '${javaPath}' could not be run. Install a JRE ` +
            `(e.g. apt-get install openjdk-${requiredMajor}-jre-headless) or set JAVA_HOME.`
        : `DynamoDB Local needs Java ${requiredMajor}+, found ${foundVersion} at '${javaPath}'.`,
    );
  }
}

/** Parses the major version from `java -version` output ("17.0.15", "1.8.0_392", "21"). */
export function parseJavaMajor(versionOutput: string): { version: string; major: number } | undefined {
  const match = /version "([^"]+)"/.exec(versionOutput);
  if (!match?.[1]) return undefined;
  const version = match[1];
  const parts = version.split(/[._-]/).map((p) => Number.parseInt(p, 10));
  const major = parts[0] === 1 ? parts[1] : parts[0];
  return major === undefined || Number.isNaN(major) ? undefined : { version, major };
}

export function javaExecutable(): string {
  const home = process.env.JAVA_HOME;
  return home ? `${home}/bin/java` : 'java';
}

/** Throws JavaRuntimeError unless `java` runs and is at least `requiredMajor`. */
export function assertJava(requiredMajor: number, javaPath = javaExecutable()): void {
  const result = spawnSync(javaPath, ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) throw new JavaRuntimeError(requiredMajor, undefined, javaPath);
  const parsed = parseJavaMajor(`${result.stderr}${result.stdout}`);
  if (!parsed || parsed.major < requiredMajor) {
    throw new JavaRuntimeError(requiredMajor, parsed?.version ?? 'an unknown version', javaPath);
  }
}
