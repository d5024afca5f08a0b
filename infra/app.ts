// CDK entry point (cdk.json: `node --import tsx infra/app.ts`).
import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.js';
import { InfraConfigError } from './config.js';

const app = new App();
try {
  buildApp(app);
} catch (error) {
  if (!(error instanceof InfraConfigError)) throw error;
  // A config mistake is the user's to fix: print the message, not a stack trace.
  console.error(error.message);
  process.exit(1);
}
app.synth();
