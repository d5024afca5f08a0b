import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'cdk.out/**'],
    // One DynamoDB Local (a JVM) and one fauxqs for the whole run, started when the first test
    // file asks for them; each file still makes tables and queues of its own.
    globalSetup: ['test/support/global-setup.ts'],
    // Integration tests start HTTP servers and run pipelines; two cores run them best a couple
    // at a time.
    pool: 'forks',
    maxWorkers: 2,
    // Bounds, not waits: a test that passes ends when it is done. They are generous because this
    // is a shared 2-core machine, and under load everything (a cold JVM's first answer above
    // all) takes several times as long.
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
