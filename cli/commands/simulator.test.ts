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
    let graphStatus = 0;
    let graphFolders: unknown[] = [];
    await program({
      print: (line) => lines.push(line),
      waitForStop: async (run) => {
        mailboxes = (await (await fetch(`${run.adminUrl}/mailboxes`)).json()) as unknown[];
        ewsStatus = (await fetch(run.url, { method: 'POST', body: '' })).status;
        graphStatus = (await fetch(`${run.graph.baseUrl}/users/user1@contoso.test/mailFolders/delta`)).status;
        // The printed credentials work: client-credentials token, then a Graph call.
        const text = lines.join('\n');
        const tokenUrl = /Graph token: +(\S+)/.exec(text)![1]!;
        const [clientId, secret] = /Graph client: +(\S+) \/ (\S+)/.exec(text)!.slice(1);
        const token = (await (
          await fetch(tokenUrl, {
            method: 'POST',
            body: new URLSearchParams({
              grant_type: 'client_credentials',
              client_id: clientId!,
              client_secret: secret!,
              scope: 'https://graph.microsoft.com/.default',
            }),
          })
        ).json()) as { access_token: string };
        const base = /Graph base: +(\S+)/.exec(text)![1]!;
        const delta = await fetch(`${base}/users/user1@contoso.test/mailFolders/delta`, {
          headers: { Authorization: `Bearer ${token.access_token}`, Prefer: 'odata.maxpagesize=100' },
        });
        graphFolders = ((await delta.json()) as { value: unknown[] }).value;
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
        '--items-per-mailbox',
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
    expect(graphStatus).toBe(401);
    expect(graphFolders.length).toBeGreaterThan(5);
    expect(lines.join('\n')).toMatch(/Graph base: +http:\/\/127\.0\.0\.1:\d+\/v1\.0/);
    expect(lines.join('\n')).toMatch(/Graph tenant: +[0-9a-f-]{36}/);
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
