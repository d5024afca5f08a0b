// The README's "Try the operator CLI locally" walkthrough as data, so its test runs the commands
// as the README writes them: the first block is the first terminal's, the others the second's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const WALKTHROUGH_HEADING = '## Try the operator CLI locally';
/** The env file the walkthrough names; a test writes its own elsewhere, never into the checkout. */
export const WALKTHROUGH_ENV_FILE = '.exchange-sync.env';

export interface Walkthrough {
  /** The first terminal's command: `npm run dev -- --env-file ...`. */
  dev: string;
  /** The second terminal's blocks, in order; shell state (the first block's `eval`) carries on. */
  steps: string[];
}

/** The walkthrough's `sh` blocks, with its env file replaced by `envFile`. */
export function readWalkthrough(root: string, envFile: string): Walkthrough {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf(`${WALKTHROUGH_HEADING}\n`);
  if (start < 0) throw new Error(`README.md has no "${WALKTHROUGH_HEADING}" section`);
  const end = readme.indexOf('\n## ', start + WALKTHROUGH_HEADING.length);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map(([, body]) =>
    body!.trim().replaceAll(WALKTHROUGH_ENV_FILE, envFile),
  );
  const [dev, ...steps] = blocks;
  if (!dev || steps.length === 0) throw new Error(`"${WALKTHROUGH_HEADING}" has no sh blocks to run`);
  return { dev, steps };
}

/** The shell state a step inherits from the ones before it: their `eval` lines. */
export function shellState(steps: readonly string[]): string {
  return steps
    .flatMap((step) => step.split('\n'))
    .filter((line) => line.startsWith('eval '))
    .join('\n');
}
