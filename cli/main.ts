// exchange-sync CLI entry (bin/exchange-sync.js and `npm start` run this file). The command tree
// lives in cli/operator/program.ts so tests can run it in-process.
import { runCli } from './operator/program.js';

const code = await runCli(process.argv.slice(2));
// A command may report failure through process.exitCode itself (`local` does when the mirror
// does not verify): a successful parse must not turn that into 0.
if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
