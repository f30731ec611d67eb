/**
 * Builds the CDK app for one stage. `infra/app.ts` (what `cdk synth|deploy -c stage=<name>` runs) and
 * the infra tests both call this, so the tests synthesize exactly what gets deployed.
 */
import { App, type AppProps, type Environment, Tags } from 'aws-cdk-lib';
import { addNagChecks } from './constructs/nag.ts';
import { CustomerSyncStack } from './customer-sync-stack.ts';
import { resolveDeployEnvironment, STAGE_NAMES, stageConfig } from './stages.ts';

export interface BuildAppOptions {
  /** The stage; defaults to the app context `stage` (`-c stage=<name>`). */
  stage?: string;
  /** CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION, as the CLI sets them. */
  env?: Record<string, string | undefined>;
  /** App props; tests set `outdir` and `context` here, the CLI passes context through the environment. */
  appProps?: AppProps;
}

export interface BuiltApp {
  app: App;
  stack: CustomerSyncStack;
}

export const stackName = (stage: string): string => `CustomerSync-${stage}`;

function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function buildApp(options: BuildAppOptions = {}): BuiltApp {
  const app = new App(options.appProps);
  const stageName = options.stage ?? contextString(app, 'stage');
  if (stageName === undefined) {
    throw new Error(`No stage: pass -c stage=<name> (one of ${STAGE_NAMES.join(', ')})`);
  }
  const stage = stageConfig(stageName);
  if (!stage.deployable) {
    throw new Error(
      `Stage "${stage.name}" runs on this machine (npm start) and is not deployed: use dev, staging or prod`,
    );
  }
  const { account, region } = resolveDeployEnvironment(stage, {
    context: { account: contextString(app, 'account'), region: contextString(app, 'region') },
    env: options.env ?? {},
  });
  const env: Environment = { ...(account ? { account } : {}), ...(region ? { region } : {}) };
  const alarmEmail = contextString(app, 'alarmEmail');
  const stack = new CustomerSyncStack(app, stackName(stage.name), {
    stage,
    ...(alarmEmail ? { alarmEmail } : {}),
    ...(account || region ? { env } : {}),
    description: `customer-sync (${stage.name}): provider customer sync, read/create API, webhooks`,
    terminationProtection: stage.removalPolicy === 'retain',
  });
  Tags.of(app).add('project', 'customer-sync');
  Tags.of(app).add('stage', stage.name);
  addNagChecks(app);
  return { app, stack };
}
