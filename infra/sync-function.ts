// A NodejsFunction with the project's defaults: an ESM bundle for ARM64 on Node 24, minified with
// source maps, built by the local esbuild (never Docker), logging to its own log group through a
// role that holds nothing but the right to write there. Grants are added by the caller.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRIC_DIMENSIONS, METRICS } from './resources.js';

/**
 * The AWS SDK v3 is left out of the bundle and taken from the nodejs24.x runtime: bundled, the
 * four clients the worker uses add about 510 KB minified (measured: 102 KB without, 611 KB with),
 * which breaks the 500 KB worker budget in DESIGN.md and slows cold starts. The runtime's SDK is
 * patched by AWS; we use only long-stable v3 client APIs, so its floating version is acceptable.
 */
export const EXTERNAL_MODULES = ['@aws-sdk/*'];

/** Some bundled CommonJS dependencies call require(); ESM bundles need it recreated. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

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
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: METRIC_DIMENSIONS.service,
        POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace,
        ...environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        externalModules: EXTERNAL_MODULES,
        minify: true,
        sourceMap: true,
        // Stack traces need names and lines, not the sources: keeps the .map small.
        sourcesContent: false,
        forceDockerBundling: false,
      },
    });
  }
}
