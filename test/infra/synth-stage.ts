/**
 * Synthesizes one stage through the same `buildApp` the CDK CLI runs (infra/app.ts), with cdk.json's
 * context, into a temporary cloud assembly: Lambda bundles included, cdk-nag validation included.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app.ts';
import { PROJECT_ROOT } from '../../infra/constructs/service-function.ts';
import type { CustomerSyncStack } from '../../infra/customer-sync-stack.ts';
import { type StageConfig, stageConfig } from '../../infra/stages.ts';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface SynthesizedStage {
  stage: StageConfig;
  app: App;
  stack: CustomerSyncStack;
  template: Template;
  resources: Record<string, CfnResource>;
  assemblyDir: string;
  cleanup(): void;
}

function cdkJsonContext(): Record<string, unknown> {
  const parsed: unknown = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8'));
  if (typeof parsed === 'object' && parsed !== null && 'context' in parsed) {
    const { context } = parsed;
    if (typeof context === 'object' && context !== null) return { ...context };
  }
  throw new Error('cdk.json has no context object');
}

export function synthesizeStage(name: string, extraContext: Record<string, string> = {}): SynthesizedStage {
  const outdir = mkdtempSync(join(tmpdir(), `cdk-${name}-`));
  const { app, stack } = buildApp({
    env: {},
    appProps: { outdir, context: { ...cdkJsonContext(), stage: name, ...extraContext } },
  });
  const assembly = app.synth();
  const template = Template.fromStack(stack);
  const resources: Record<string, CfnResource> = template.toJSON().Resources;
  return {
    stage: stageConfig(name),
    app,
    stack,
    template,
    resources,
    assemblyDir: assembly.directory,
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

// ----------------------------------------------------------------------------------------------------
// Template helpers

export function ofType(resources: Record<string, CfnResource>, type: string): [string, CfnResource][] {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

export function prop<T = unknown>(resource: CfnResource, name: string): T {
  return resource.Properties?.[name] as T;
}

/** `{ Ref: id }` or `{ 'Fn::GetAtt': [id, attr] }` → id; anything else → undefined. */
export function refId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if ('Ref' in value && typeof value.Ref === 'string') return value.Ref;
  if ('Fn::GetAtt' in value && Array.isArray(value['Fn::GetAtt'])) {
    const [id] = value['Fn::GetAtt'];
    return typeof id === 'string' ? id : undefined;
  }
  return undefined;
}

/** Every resource id referenced anywhere inside `value` (Ref, GetAtt, inside Join and friends). */
export function refsIn(value: unknown): string[] {
  const direct = refId(value);
  if (direct) return [direct];
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(refsIn);
  return [];
}

export interface Statement {
  Effect: string;
  Action: string[];
  Resource: unknown[];
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** Every IAM statement attached to the role of the function `fnId`. */
export function functionStatements(resources: Record<string, CfnResource>, fnId: string): Statement[] {
  const fn = resources[fnId];
  if (!fn) throw new Error(`no resource ${fnId}`);
  const roleId = refId(prop(fn, 'Role'));
  if (!roleId) throw new Error(`${fnId} has no role reference`);
  return roleStatements(resources, roleId);
}

export function roleStatements(resources: Record<string, CfnResource>, roleId: string): Statement[] {
  const statements: Statement[] = [];
  for (const [, policy] of ofType(resources, 'AWS::IAM::Policy')) {
    const roles = asArray(prop(policy, 'Roles')).map(refId);
    if (!roles.includes(roleId)) continue;
    const document = prop<{ Statement: Record<string, unknown>[] }>(policy, 'PolicyDocument');
    for (const statement of document.Statement) {
      statements.push({
        Effect: String(statement.Effect),
        Action: asArray(statement.Action).map(String),
        Resource: asArray(statement.Resource),
      });
    }
  }
  return statements;
}

export interface LambdaInfo {
  id: string;
  resource: CfnResource;
  service: string;
  provider: string | undefined;
  env: Record<string, unknown>;
}

export function lambdas(resources: Record<string, CfnResource>): LambdaInfo[] {
  return ofType(resources, 'AWS::Lambda::Function').map(([id, resource]) => {
    const env =
      prop<{ Variables?: Record<string, unknown> } | undefined>(resource, 'Environment')?.Variables ?? {};
    const provider = env.PROVIDER;
    return {
      id,
      resource,
      service: String(env.POWERTOOLS_SERVICE_NAME),
      provider: typeof provider === 'string' ? provider : undefined,
      env,
    };
  });
}

export function lambda(
  resources: Record<string, CfnResource>,
  service: string,
  provider?: string,
): LambdaInfo {
  const found = lambdas(resources).filter(
    (fn) => fn.service === service && (provider === undefined || fn.provider === provider),
  );
  if (found.length !== 1 || !found[0]) {
    throw new Error(
      `expected one ${service}${provider ? `/${provider}` : ''} function, found ${found.length}`,
    );
  }
  return found[0];
}
