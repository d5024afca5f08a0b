// The production container has no local seam (issue 8): what a Lambda reads is what the stack
// sets, so a stray DYNAMODB_ENDPOINT, SQS_ENDPOINT or ALLOW_INSECURE_HTTP in a function's
// environment can neither point the worker at a local stand-in nor let it speak plain http. The
// local run gets those through local/container.ts instead. The second test is checked by tsc
// (`npx tsc --noEmit`): an `@ts-expect-error` that finds no error fails the build.
import { describe, expect, it } from 'vitest';
import { LocalCredentialsResolver } from '../adapters/secrets/index.js';
import { type ContainerOptions, createContainer } from './container.js';
import { type HandlerEnv, readHandlerEnv } from './env.js';
import { createSchedulerContainer } from './scheduler-container.js';

/** What the stack sets on a function. */
const lambdaEnvironment = {
  MAILBOX_TABLE: 'm',
  CURSOR_TABLE: 'c',
  ITEM_TABLE: 'i',
  SYNC_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123/q',
  STATE_BUCKET: 'state',
};

/** The variables the local run used to pass through the handlers' environment. */
const localVariables = {
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
  SQS_ENDPOINT: 'http://127.0.0.1:4566',
  ALLOW_INSECURE_HTTP: 'true',
};

describe('the production container', () => {
  it('reads none of the local variables: set in a Lambda, they change nothing', () => {
    const production = readHandlerEnv(lambdaEnvironment);
    expect(readHandlerEnv({ ...lambdaEnvironment, ...localVariables })).toEqual(production);
    // Not even checked: a malformed one cannot fail a cold start either.
    expect(
      readHandlerEnv({ ...lambdaEnvironment, ALLOW_INSECURE_HTTP: 'yes', DYNAMODB_ENDPOINT: 'not a url' }),
    ).toEqual(production);
    expect(Object.keys(production)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/endpoint|insecure|credentials/i)]),
    );
  });

  it('takes no local seam in its types', () => {
    const env: HandlerEnv = readHandlerEnv(lambdaEnvironment);
    // @ts-expect-error no endpoint: in AWS the SDK finds the service's own
    expect(env.dynamoEndpoint).toBeUndefined();
    // @ts-expect-error no endpoint for SQS (nor S3, which the local stand-in serves on it)
    expect(env.sqsEndpoint).toBeUndefined();
    // @ts-expect-error mail servers are reached over https only
    expect(env.allowInsecureHttp).toBeUndefined();
    // @ts-expect-error no `local:<name>` credentials: such a registry row never resolves in AWS
    const options: ContainerOptions = { localCredentials: new LocalCredentialsResolver() };
    // The options a Lambda passes are all it can pass.
    createContainer(env, options).destroy();
    createSchedulerContainer(env, options).destroy();
  });
});
