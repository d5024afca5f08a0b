import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { simulatorCommand } from './simulator.js';

function program(deps: Parameters<typeof simulatorCommand>[0]) {
  const root = new Command('exchange-sync').exitOverride();
  root.addCommand(simulatorCommand(deps).exitOverride());
  return root;
}

describe('exchange-sync simulator', () => {
  it('serves the generated organisation, prints endpoint and credentials, and stops', async () => {
    const lines: string[] = [];
    let mailboxes: unknown[] = [];
    let ewsStatus = 0;
    await program({
      print: (line) => lines.push(line),
      waitForStop: async (run) => {
        mailboxes = (await (await fetch(`${run.adminUrl}/mailboxes`)).json()) as unknown[];
        ewsStatus = (await fetch(run.url, { method: 'POST', body: '' })).status;
      },
    }).parseAsync(
      [
        'simulator',
        '--port',
        '0',
        '--seed',
        '9',
        '--mailboxes',
        '2',
        '--items',
        '20',
        '--username',
        'ops',
        '--password',
        'pw',
      ],
      { from: 'user' },
    );
    expect(mailboxes).toHaveLength(2);
    expect(ewsStatus).toBe(401);
    expect(lines.join('\n')).toMatch(/EWS endpoint: +http:\/\/127\.0\.0\.1:\d+\/EWS\/Exchange\.asmx/);
    expect(lines.join('\n')).toContain('ops / pw');
    expect(lines.at(-1)).toBe('Simulator stopped.');
  });

  it('rejects invalid numbers', async () => {
    const run = program({ print: () => {}, waitForStop: async () => {} });
    run.configureOutput({ writeErr: () => {} });
    await expect(run.parseAsync(['simulator', '--mailboxes', 'many'], { from: 'user' })).rejects.toThrow(
      /mailboxes/,
    );
  });
});
