import { describe, expect, it } from 'vitest';
import { printReport } from './report.js';
import type { LocalRunReport } from './run.js';

const verification = {
  verified: true,
  folders: 45,
  foldersGone: 4,
  serverItems: 300,
  mirroredItems: 300,
  missing: 0,
  extra: 0,
  stale: 0,
};

const REPORT: LocalRunReport = {
  summary: {
    ...verification,
    mailboxes: 2,
    foldersLeftOut: 3,
    pages: 70,
    changesApplied: 500,
    throttled: 0,
    maxConcurrentSyncCallsPerMailbox: 1,
    maxConcurrentGraphRequestsPerMailbox: 0,
    sources: { ews: { mailboxes: 2, ...verification } },
    durationMs: 12_000,
  },
  rounds: [{ round: 1, mutationsApplied: 0, pages: 70, changesApplied: 500, durationMs: 9000 }],
  differences: [],
  leftOut: [
    { mailboxId: 'a@x', displayName: 'Notes' },
    { mailboxId: 'b@x', displayName: 'Notes' },
    { mailboxId: 'a@x', displayName: 'Sync Issues' },
  ],
  deadLetters: 0,
};

function render(isTTY: boolean, env: NodeJS.ProcessEnv): string {
  let text = '';
  const out = {
    isTTY,
    write(chunk: string) {
      text += chunk;
      return true;
    },
  } as unknown as NodeJS.WritableStream & { isTTY?: boolean };
  printReport(REPORT, out, env);
  return text;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character is what is looked for
const ESCAPE = /\u001b\[/;

describe('the local run summary', () => {
  it('has colours on a terminal only, and none when NO_COLOR is set', () => {
    expect(render(true, {})).toMatch(ESCAPE);
    expect(render(false, {}), 'a pipe or a file').not.toMatch(ESCAPE);
    expect(render(true, { NO_COLOR: '1' })).not.toMatch(ESCAPE);
    // no-color.org: an empty NO_COLOR does not count.
    expect(render(true, { NO_COLOR: '' })).toMatch(ESCAPE);
  });

  it('counts folders as the progress line does and names those the filter left out', () => {
    const text = render(false, {});
    expect(text).toMatch(/folders synced\s+│\s+45\s/);
    expect(text).toMatch(/folders deleted on the server \(checked empty\)\s+│\s+4\s/);
    expect(text).toContain('3: Notes ×2, Sync Issues');
  });
});
