// fauxqs in a process of its own, shared by every test file of a run (test/support/global-setup.ts):
// it prints its endpoint as one JSON line on stdout and ends as soon as its stdin closes. The
// test runner holds the write end of that pipe, so however the run ends (teardown, Ctrl-C, a
// crashed or SIGKILLed runner) the kernel closes it and this process goes too.
import { startSqsEmulator } from '../../local/sqs-emulator.js';

const emulator = await startSqsEmulator();
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void emulator
    .stop()
    .catch(() => {})
    .finally(() => process.exit(0));
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
// Ctrl-C reaches the whole process group: the runner's teardown (closing stdin) ends this process.
process.on('SIGINT', () => {});
process.stdout.write(`${JSON.stringify({ endpoint: emulator.endpoint })}\n`);
