// A NodejsFunction with the project's defaults: an ESM bundle for ARM64 on Node 24, minified with
// source maps, built by the local esbuild (never Docker), logging to its own log group through a
// role that holds nothing but the right to write there. Grants are added by the caller.

import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRIC_DIMENSIONS, METRICS } from './resources.js';

/**
 * The AWS SDK v3 clients are bundled, tree-shaken and minified with our code (AWS's own advice for
 * cold starts): taken from the runtime instead, Node resolves, loads and lexes some 30 CommonJS
 * files from its node_modules at every cold start, which cost more than all the rest of module init
 * (measured side by side by `npm run bench:cold-start`, see docs/ARCHITECTURE.md). Left out, and
 * so taken from the nodejs24.x runtime's SDK, are only modules the bundle imports dynamically on
 * a path a cold start does not take:
 * - the S3 client, loaded on the first SyncState spilled to the state bucket
 *   (lib/adapters/s3/lazy-sync-state-store.ts); bundled it would add ~190 KB to parse at every
 *   cold start and break the 500 KB budget;
 * - the credential providers that the SDK's default chain tries only when the environment holds
 *   no credentials (SSO, shared ini files, a credential process, a web identity token file); a
 *   Lambda's environment always holds its role's credentials, read by the bundled env provider
 *   (the container-credentials and instance-metadata providers stay bundled too).
 * The bundle imports no package at init: test/infra/synth.test.ts checks it.
 */
export const EXTERNAL_MODULES = [
  '@aws-sdk/client-s3',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
];

/** Some bundled CommonJS dependencies call require(); ESM bundles need it recreated. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

/**
 * Imports to replace in the bundles: `node:http` comes through node-http-shim.cjs (why: there),
 * for our code and for the SDK's HTTP handler alike.
 */
const NODE_HTTP_SHIM = fileURLToPath(new URL('./node-http-shim.cjs', import.meta.url));
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  'node:http': NODE_HTTP_SHIM,
  http: NODE_HTTP_SHIM,
};

/**
 * How every function is bundled (ESM for Node 24, minified, with source maps) and the Node options
 * it runs with, shared with bench/cold-start.bench.ts so that the benchmark measures what deploys.
 */
export const BUNDLING = {
  target: 'node24',
  esbuildArgs: Object.fromEntries(
    Object.entries(BUNDLE_ALIASES).map(([from, to]) => [`--alias:${from}`, to]),
  ),
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  externalModules: EXTERNAL_MODULES,
  minify: true,
  sourceMap: true,
  // Stack traces need names and lines, not the sources: keeps the .map small.
  sourcesContent: false,
} as const;

/**
 * Stack traces name our sources. Reading the .map costs no measurable cold start on Node 24 (the
 * Lambda's); on Node 20 it costs 20-35 ms (`npm run bench:cold-start -- --compare`).
 */
export const FUNCTION_NODE_OPTIONS = '--enable-source-maps';

export interface SyncFunctionProps
  extends Omit<NodejsFunctionProps, 'runtime' | 'architecture' | 'bundling' | 'logGroup' | 'role' | 'entry'> {
  /** Absolute path of the handler module (exports `handler`). */
  entry: string;
  /** @default one month */
  logRetention?: RetentionDays;
}

export class SyncFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: SyncFunctionProps) {
    const { logRetention = RetentionDays.ONE_MONTH, environment, ...rest } = props;
    // Created before super() so the function can be wired to them; parented to the scope under
    // ids derived from ours, so two SyncFunctions in one scope do not collide.
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: logRetention,
      // Operational logs belong to the stateless stack and go with it; the data is retained.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // No AWSLambdaBasicExecutionRole: its logs:* on every log group is more than a function needs.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}: its log group plus explicit grants`,
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      memorySize: 512,
      timeout: Duration.seconds(30),
      ...rest,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      handler: 'handler',
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        NODE_OPTIONS: FUNCTION_NODE_OPTIONS,
        POWERTOOLS_SERVICE_NAME: METRIC_DIMENSIONS.service,
        POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace,
        ...environment,
      },
      bundling: {
        ...BUNDLING,
        format: OutputFormat.ESM,
        mainFields: [...BUNDLING.mainFields],
        externalModules: [...BUNDLING.externalModules],
        forceDockerBundling: false,
      },
    });
  }
}
