// exchange-sync CLI entry (bin/exchange-sync.js and `npm start` run this file). The command tree
// lives in cli/operator/program.ts so tests can run it in-process.
import { runCli } from './operator/program.js';

process.exitCode = await runCli(process.argv.slice(2));
