import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './local-aws-clients.js';

// The child starts DynamoDB Local, reports where it runs, and then gets SIGKILLed: no teardown of
// ours can run, only the watchdog can stop Java.
const CHILD_SCRIPT = `
import { execFileSync } from 'node:child_process';
import { startDynamoDbLocal } from './local/dynamodb-local.ts';
const db = await startDynamoDbLocal();
const java = execFileSync('pgrep', ['-f', '^[^ ]*java .*DynamoDBLocal.jar.*-port ' + db.port], { encoding: 'utf8' }).trim();
console.log(JSON.stringify({ endpoint: db.endpoint, javaPid: Number(java) }));
setInterval(() => {}, 1000);
`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startDynamoDbLocal', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('serves DynamoDB on a free port, and Java dies with a SIGKILLed parent', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD_SCRIPT], {
      cwd: new URL('..', import.meta.url).pathname,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const [line] = (await once(lines, 'line')) as [string];
    const { endpoint, javaPid } = JSON.parse(line) as { endpoint: string; javaPid: number };
    expect(javaPid).toBeGreaterThan(0);
    expect(isAlive(javaPid)).toBe(true);

    const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
    client.destroy();

    child.kill('SIGKILL');
    await once(child, 'exit');
    // Java is not our child: its end can only be observed by polling.
    const deadline = Date.now() + 15_000;
    while (isAlive(javaPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(isAlive(javaPid)).toBe(false);
  });
});
