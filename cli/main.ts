// exchange-sync CLI entry (bin/exchange-sync.js and `npm start` run this file). The command tree
// lives in cli/operator/program.ts so tests can run it in-process.
import { runCli } from './operator/program.js';

// The AWS SDK's note that its releases after January 2027 need Node 22 concerns whoever upgrades
// the pinned SDK, not an operator: printed, it is nine lines of stderr on every command. Read
// when a client is built, so setting it here is in time; a value set by the user stands.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const code = await runCli(process.argv.slice(2));
// A command may report failure through process.exitCode itself (`local` does when the mirror
// does not verify): a successful parse must not turn that into 0.
if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
