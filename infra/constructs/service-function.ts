/**
 * One Lambda function of the service, built the same way for all: an ESM bundle of
 * `functions/<name>/handler.ts` made by the local esbuild (no Docker), Node 24 on ARM64, X-Ray active,
 * JSON logs into an explicit log group with the stage's retention.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { StageConfig } from '../stages.ts';
import { acknowledge } from './nag.ts';

/** The repository root: bundles resolve `functions/`, `lib/` and `node_modules/` from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const FUNCTION_NAMES = [
  'sync-scheduler',
  'sync-worker',
  'create-customer',
  'provider-webhook',
  'read-api',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** Namespace of every custom metric (Powertools EMF). */
export const METRICS_NAMESPACE = 'CustomerSync';

/**
 * ESM bundles that inline CommonJS dependencies (the X-Ray SDK under Powertools tracer) call
 * `require`; esbuild's ESM output has none, so one is made from `import.meta.url`.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * Module aliases of every bundle: esbuild replaces these imports with the given files, each of which
 * says why. Stand-ins for code the functions can never reach (the 300 KB bundle budget), and `node:http`
 * loaded the cheaper way (cold start).
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  semver: join(PROJECT_ROOT, 'infra/bundling/xray-semver-stub.cjs'),
  // A folder: esbuild maps the package's subpaths into it too (`/functions` → functions.js).
  '@aws-lambda-powertools/jmespath': join(PROJECT_ROOT, 'infra/bundling/jmespath-field-paths'),
  'node:http': join(PROJECT_ROOT, 'infra/bundling/node-http.mjs'),
};

export function handlerEntry(name: FunctionName): string {
  return join(PROJECT_ROOT, 'functions', name, 'handler.ts');
}

export interface ServiceFunctionProps {
  name: FunctionName;
  description: string;
  memoryMb: number;
  timeout: Duration;
  /** Function-specific variables; the common ones (stage, Powertools) are added here. */
  environment: Record<string, string>;
  stage: StageConfig;
}

export class ServiceFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const entry = handlerEntry(props.name);
    if (!existsSync(entry)) {
      throw new Error(
        `Lambda entry ${entry} does not exist: every function needs functions/<name>/handler.ts`,
      );
    }
    const removalPolicy =
      props.stage.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.stage.logRetentionDays,
      removalPolicy,
    });
    // An own role instead of AWSLambdaBasicExecutionRole: logs go to this function's group only.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `customer-sync ${props.stage.name} ${props.name}`,
    });
    this.logGroup.grantWrite(role);
    this.fn = new NodejsFunction(this, 'Function', {
      role,
      entry,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMb,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        STAGE: props.stage.name,
        POWERTOOLS_SERVICE_NAME: props.name,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        // Stack traces through the external source maps (the bundle is minified).
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.EXTERNAL,
        // Source maps for stack traces only: embedding the sources would double the zip.
        sourcesContent: false,
        mainFields: ['module', 'main'],
        // The runtime ships the AWS SDK v3; bundling it would only slow cold starts.
        externalModules: ['@aws-sdk/*'],
        banner: ESM_REQUIRE_BANNER,
        esbuildArgs: Object.fromEntries(
          Object.entries(BUNDLE_ALIASES).map(([module, file]) => [`--alias:${module}`, file]),
        ),
        // Synth must stay offline and Docker-free: the esbuild from devDependencies does the work.
        forceDockerBundling: false,
      },
    });
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so AWS requires Resource "*" for them; every other statement names its resources.',
    );
  }
}
