// The local run's composition root: the production container's builders (lib/app), plus what
// only a machine without AWS needs, passed here and nowhere else: the stand-ins' endpoints
// (DynamoDB Local, fauxqs for SQS and S3), their dummy credentials, plain http to the simulator
// and its `local:<name>` credentials. The production container's type has none of these, and
// the handlers' environment carries none, so no variable set in a Lambda can switch one on.

import { ENV } from '../infra/resources.js';
import type { LocalCredentialsResolver } from '../lib/adapters/secrets/index.js';
import { assembleContainer, type Container, type ContainerOptions } from '../lib/app/assemble-container.js';
import { type AwsClientSettings, buildAwsClients } from '../lib/app/aws-clients.js';
import { ConfigurationError, type HandlerEnv } from '../lib/app/env.js';
import { buildMailSource } from '../lib/app/mail-sources.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localRequestHandler } from './local-aws-clients.js';

export interface LocalEndpoints {
  dynamodb?: string;
  /** fauxqs serves S3 on the same endpoint: the state bucket lives there too. */
  sqs?: string;
}

export interface LocalSeams {
  endpoints?: LocalEndpoints;
  /**
   * Sign with the stand-ins' dummy credentials in their region instead of what the SDK finds.
   * The operator CLI leaves it off: an endpoint flag may name a VPC endpoint of real AWS.
   */
  standInCredentials?: boolean;
  /** Accept plain http:// mail servers and token URLs (the simulator). */
  allowInsecureHttp?: boolean;
  /** `local:<name>` credentials, the simulator's. */
  credentials?: LocalCredentialsResolver;
}

/** The seams of a run on the stand-ins against the simulator: all of them. */
export function standInSeams(
  endpoints: Required<LocalEndpoints>,
  credentials?: LocalCredentialsResolver,
): LocalSeams {
  return { endpoints, standInCredentials: true, allowInsecureHttp: true, credentials };
}

/**
 * The stand-in endpoints an operator environment names (DYNAMODB_ENDPOINT, SQS_ENDPOINT, as
 * `exchange-sync dev --env-file` writes them); undefined when it names none. A value that is no
 * URL is refused as the handlers' environment refuses one, naming its variable.
 */
export function localEndpointsOf(
  environment: Record<string, string | undefined>,
): LocalEndpoints | undefined {
  const variables = [ENV.dynamoEndpoint, ENV.sqsEndpoint];
  const malformed = variables.filter((v) => environment[v] && !URL.canParse(environment[v]));
  if (malformed.length > 0) {
    throw new ConfigurationError(malformed, malformed.map((v) => `${v}: Invalid URL`).join('; '));
  }
  const dynamodb = environment[ENV.dynamoEndpoint] || undefined;
  const sqs = environment[ENV.sqsEndpoint] || undefined;
  return dynamodb === undefined && sqs === undefined ? undefined : { dynamodb, sqs };
}

/** The SDK settings for the given seams. */
export function localClientSettings(seams: LocalSeams): AwsClientSettings {
  const signing = seams.standInCredentials ? { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS } : {};
  // One process runs many invocations at once on these clients: more sockets than the SDK's 50.
  const at = (endpoint: string | undefined) =>
    endpoint === undefined ? signing : { ...signing, endpoint, requestHandler: localRequestHandler() };
  const { dynamodb, sqs } = seams.endpoints ?? {};
  return {
    dynamodb: at(dynamodb),
    sqs: at(sqs),
    // Path-style: `<bucket>.localhost` does not resolve.
    s3: sqs === undefined ? signing : { ...signing, endpoint: sqs, forcePathStyle: true },
  };
}

/** The handlers' container on local seams; `env` is what the production container reads. */
export function createLocalContainer(
  env: HandlerEnv,
  seams: LocalSeams,
  options: ContainerOptions = {},
): Container {
  return assembleContainer(env, options, {
    clients: buildAwsClients(localClientSettings(seams)),
    source: buildMailSource(env, {
      allowInsecureHttp: seams.allowInsecureHttp,
      localCredentials: seams.credentials,
    }),
  });
}
