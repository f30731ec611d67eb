/**
 * Security checks of the synthesized CloudFormation templates, over the WHOLE template (test/infra/
 * checks the functions' own roles and environments; this adds every other role, key policy, resource
 * policy, output and property). Synthesized by the same `buildApp` the CDK CLI runs, with Lambda
 * bundling skipped (`aws:cdk:bundling-stacks: []`): bundling changes asset hashes only, never IAM,
 * secrets or environment, and skipping it makes a stage take seconds instead of most of a minute.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../infra/build-app.ts';
import { SANDBOX_CREDENTIALS } from '../../../sandbox/index.ts';
import { PROJECT_ROOT } from './counters.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export interface Resource {
  Type: string;
  Properties?: { [key: string]: Json };
}

export interface SynthesizedTemplate {
  stage: string;
  json: { [key: string]: Json };
  resources: Record<string, Resource>;
}

export function synthesizeTemplate(stage: string): SynthesizedTemplate {
  const cdk: unknown = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8'));
  const context = typeof cdk === 'object' && cdk !== null ? Reflect.get(cdk, 'context') : {};
  const outdir = mkdtempSync(join(tmpdir(), `cdk-reliability-${stage}-`));
  try {
    const { app, stack } = buildApp({
      env: {},
      appProps: { outdir, context: { ...context, stage, 'aws:cdk:bundling-stacks': [] } },
    });
    app.synth();
    const json: { [key: string]: Json } = Template.fromStack(stack).toJSON();
    const resources: Record<string, Resource> = {};
    const raw = json.Resources;
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      for (const [id, value] of Object.entries(raw)) {
        if (value && typeof value === 'object' && !Array.isArray(value) && typeof value.Type === 'string') {
          const properties = value.Properties;
          resources[id] = {
            Type: value.Type,
            ...(properties && typeof properties === 'object' && !Array.isArray(properties)
              ? { Properties: properties }
              : {}),
          };
        }
      }
    }
    return { stage, json, resources };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Every string anywhere in a JSON value, with the path it sits at. */
export function strings(value: Json, path = ''): Array<{ path: string; value: string }> {
  if (typeof value === 'string') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => strings(item, `${path}[${index}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => strings(item, path ? `${path}.${key}` : key));
  }
  return [];
}

/** Values no template may hold: every credential the sandboxes (and so the local stack) use. */
export const KNOWN_SECRET_VALUES: string[] = Object.values(SANDBOX_CREDENTIALS).flatMap((credentials) =>
  Object.values(credentials),
);

export const SECRET_PATTERNS: Array<[string, RegExp]> = [
  ['a Mollie API key', /\b(live|test)_[A-Za-z0-9]{20,}\b/],
  ['an AWS access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['a private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['a JWT', /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/],
  ['credentials in a URL', /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i],
  [
    'a secret dynamic reference (resolved into the property at deploy time)',
    /\{\{resolve:(secretsmanager|ssm-secure):/,
  ],
];

export interface Statement {
  resource: string;
  Effect: string;
  Action: string[];
  NotAction: boolean;
  Resource: Json[];
  NotResource: boolean;
  Principal: Json;
  Condition: Json;
}

const asArray = (value: Json | undefined): Json[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function statementsOf(resource: string, document: Json | undefined): Statement[] {
  if (!document || typeof document !== 'object' || Array.isArray(document)) return [];
  return asArray(document.Statement).flatMap((raw) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return [];
    return [
      {
        resource,
        Effect: String(raw.Effect),
        Action: asArray(raw.Action).map(String),
        NotAction: raw.NotAction !== undefined,
        Resource: asArray(raw.Resource),
        NotResource: raw.NotResource !== undefined,
        Principal: raw.Principal ?? null,
        Condition: raw.Condition ?? null,
      },
    ];
  });
}

/** `{ Ref: id }` / `{ Fn::GetAtt: [id, …] }` → id. */
export function refId(value: Json | undefined): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

/** Identity-policy statements granted to each role: inline policies, attached policies and managed policies. */
export function roleStatements(template: SynthesizedTemplate): Map<string, Statement[]> {
  const byRole = new Map<string, Statement[]>();
  for (const [id, resource] of Object.entries(template.resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const inline = asArray(resource.Properties?.Policies).flatMap((policy) =>
      policy && typeof policy === 'object' && !Array.isArray(policy)
        ? statementsOf(id, policy.PolicyDocument)
        : [],
    );
    byRole.set(id, inline);
  }
  for (const [id, resource] of Object.entries(template.resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    for (const role of asArray(resource.Properties?.Roles).map(refId)) {
      if (!role) continue;
      byRole.set(role, [
        ...(byRole.get(role) ?? []),
        ...statementsOf(id, resource.Properties?.PolicyDocument),
      ]);
    }
  }
  return byRole;
}

/** Statements of resource-based policies: KMS key policies, queue and topic policies. */
export function resourcePolicyStatements(
  template: SynthesizedTemplate,
): Array<{ type: string; statement: Statement }> {
  const found: Array<{ type: string; statement: Statement }> = [];
  for (const [id, resource] of Object.entries(template.resources)) {
    const document =
      resource.Type === 'AWS::KMS::Key'
        ? resource.Properties?.KeyPolicy
        : resource.Type === 'AWS::SQS::QueuePolicy' || resource.Type === 'AWS::SNS::TopicPolicy'
          ? resource.Properties?.PolicyDocument
          : undefined;
    for (const statement of statementsOf(id, document)) found.push({ type: resource.Type, statement });
  }
  return found;
}

/** AWS requires Resource "*" for these: X-Ray's trace upload actions support no resource-level permissions. */
export const XRAY_ACTIONS = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);

/**
 * AWS managed policies a role may carry, and why. API Gateway writes its execution and access logs
 * through one account-wide role; AWS documents this managed policy for it.
 */
export const ALLOWED_MANAGED_POLICIES: Record<string, { trustedBy: string; reason: string }> = {
  AmazonAPIGatewayPushToCloudWatchLogs: {
    trustedBy: 'apigateway.amazonaws.com',
    reason: "API Gateway's account-level CloudWatch Logs role; AWS documents this managed policy for it",
  },
};

export function isAccountRoot(principal: Json): boolean {
  return JSON.stringify(principal).includes(':root');
}

/** Secret values or secret-shaped strings anywhere in the template, by path. */
export function secretProblems(template: Pick<SynthesizedTemplate, 'json'>): string[] {
  const all = strings(template.json);
  const known = all
    .filter(({ value }) => KNOWN_SECRET_VALUES.some((secret) => value.includes(secret)))
    .map(({ path }) => `a known credential at ${path}`);
  const shaped = SECRET_PATTERNS.flatMap(([what, pattern]) =>
    all.filter(({ value }) => pattern.test(value)).map(({ path }) => `${what} at ${path}`),
  );
  return [...known, ...shaped];
}

/** Allow statements of role policies that grant more than least privilege. */
export function rolePolicyProblems(template: SynthesizedTemplate): string[] {
  const problems: string[] = [];
  for (const [role, statements] of roleStatements(template)) {
    for (const statement of statements.filter((item) => item.Effect === 'Allow')) {
      const where = `${role} (${statement.resource})`;
      const wildcards = statement.Action.filter((action) => action.includes('*'));
      if (wildcards.length > 0) problems.push(`${where}: wildcard actions ${wildcards.join(', ')}`);
      if (statement.NotAction || statement.NotResource) problems.push(`${where}: NotAction/NotResource`);
      if (statement.Resource.includes('*') && !statement.Action.every((action) => XRAY_ACTIONS.has(action))) {
        problems.push(`${where}: Resource "*" for ${statement.Action.join(', ')}`);
      }
    }
  }
  return problems;
}

/** Resource-policy statements (keys, queues, topics) that allow too much. */
export function resourcePolicyProblems(template: SynthesizedTemplate): string[] {
  const problems: string[] = [];
  for (const { type, statement } of resourcePolicyStatements(template)) {
    if (statement.Effect !== 'Allow') continue;
    const where = `${type} ${statement.resource}`;
    const principal = JSON.stringify(statement.Principal);
    if (principal === '"*"' || principal.includes('"AWS":"*"')) problems.push(`${where}: public Allow`);
    if (type !== 'AWS::KMS::Key') {
      if (statement.Action.some((action) => action.includes('*'))) problems.push(`${where}: wildcard action`);
      continue;
    }
    // A key policy's Resource is always "*" (the key itself). `kms:*` belongs to the account root only:
    // AWS's default key policy, which keeps the key manageable through IAM.
    if (statement.Action.includes('kms:*') && !isAccountRoot(statement.Principal))
      problems.push(`${where}: kms:* for ${principal}`);
    const family = statement.Action.filter((action) => action !== 'kms:*' && action.includes('*'));
    // CDK's grant for Secrets Manager: data-key families, usable only through Secrets Manager.
    if (family.length > 0 && !JSON.stringify(statement.Condition).includes('kms:ViaService')) {
      problems.push(`${where}: ${family.join(', ')} without a kms:ViaService condition`);
    }
  }
  return problems;
}

/**
 * Registers the template checks for `stages` (each synthesized once): no secret values anywhere,
 * least-privilege roles and policies, API keys bound to their own stage.
 */
export function templateSecurityTests(stages: readonly string[], countScenario: () => void): void {
  const synthesized = new Map<string, SynthesizedTemplate>();
  beforeAll(() => {
    for (const stage of stages) synthesized.set(stage, synthesizeTemplate(stage));
  }, 120_000);
  const get = (stage: string): SynthesizedTemplate => {
    const template = synthesized.get(stage);
    if (!template) throw new Error(`stage ${stage} was not synthesized`);
    return template;
  };
  beforeEach(() => countScenario());

  describe.each(stages)('synthesized template (%s)', (stage) => {
    it('holds no secret value anywhere: no known credential, nothing secret-shaped, no secret dynamic reference', () => {
      expect(strings(get(stage).json).length).toBeGreaterThan(100);
      expect(secretProblems(get(stage))).toEqual([]);
    });

    it('lets AWS generate every secret and API key value: templates carry placeholders with empty fields only', () => {
      const { resources } = get(stage);
      const secrets = Object.values(resources).filter(
        (resource) => resource.Type === 'AWS::SecretsManager::Secret',
      );
      expect(secrets.length).toBeGreaterThan(0);
      for (const secret of secrets) {
        expect(secret.Properties?.SecretString).toBeUndefined();
        const generated = secret.Properties?.GenerateSecretString;
        const template =
          generated && typeof generated === 'object' && !Array.isArray(generated)
            ? generated.SecretStringTemplate
            : undefined;
        if (typeof template === 'string') {
          const fields: unknown = JSON.parse(template);
          expect(
            Object.values(fields && typeof fields === 'object' ? fields : {}).filter((value) => value !== ''),
          ).toEqual([]);
        }
      }
      for (const key of Object.values(resources).filter(
        (resource) => resource.Type === 'AWS::ApiGateway::ApiKey',
      )) {
        expect(key.Properties?.Value).toBeUndefined();
      }
    });

    it('grants every role least privilege: no wildcard action, no Not*, Resource "*" only for X-Ray', () => {
      expect(roleStatements(get(stage)).size).toBeGreaterThan(3);
      expect(rolePolicyProblems(get(stage))).toEqual([]);
    });

    it('lets each role be assumed by one AWS service only, and attaches no managed policy but the documented one', () => {
      const problems: string[] = [];
      for (const [id, resource] of Object.entries(get(stage).resources)) {
        if (resource.Type !== 'AWS::IAM::Role') continue;
        const trust = statementsOf(id, resource.Properties?.AssumeRolePolicyDocument);
        const services = trust.flatMap((statement) => {
          const principal = statement.Principal;
          return principal && typeof principal === 'object' && !Array.isArray(principal)
            ? asArray(principal.Service)
            : ['*'];
        });
        if (
          services.length !== 1 ||
          trust.some((statement) => JSON.stringify(statement.Principal).includes('"AWS"'))
        ) {
          problems.push(`${id}: trusted by ${JSON.stringify(trust.map((statement) => statement.Principal))}`);
        }
        for (const arn of asArray(resource.Properties?.ManagedPolicyArns)) {
          const name =
            JSON.stringify(arn).match(/policy\/(?:service-role\/)?([A-Za-z0-9+=,.@_-]+)/)?.[1] ??
            JSON.stringify(arn);
          const allowed = ALLOWED_MANAGED_POLICIES[name];
          if (!allowed || allowed.trustedBy !== services[0]) problems.push(`${id}: managed policy ${name}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('keeps resource policies tight: KMS "kms:*" only for the account root, no public Allow, wildcards only where AWS requires them', () => {
      expect(resourcePolicyStatements(get(stage)).length).toBeGreaterThan(0);
      expect(resourcePolicyProblems(get(stage))).toEqual([]);
    });

    it('lets API Gateway alone invoke the functions, from this stage’s API only', () => {
      const { resources } = get(stage);
      const api = Object.entries(resources).find(
        ([, resource]) => resource.Type === 'AWS::ApiGateway::RestApi',
      )?.[0];
      const permissions = Object.values(resources).filter(
        (resource) => resource.Type === 'AWS::Lambda::Permission',
      );
      expect(permissions.length).toBeGreaterThan(0);
      for (const permission of permissions) {
        expect(permission.Properties?.Principal).toBe('apigateway.amazonaws.com');
        expect(JSON.stringify(permission.Properties?.SourceArn)).toContain(`{"Ref":"${api}"}`);
      }
    });

    it("binds the stage's API keys to this stage's API only (another stage's key is refused by API Gateway)", () => {
      const { resources } = get(stage);
      const api = Object.entries(resources).find(
        ([, resource]) => resource.Type === 'AWS::ApiGateway::RestApi',
      )?.[0];
      const plans = Object.entries(resources).filter(
        ([, resource]) => resource.Type === 'AWS::ApiGateway::UsagePlan',
      );
      const keys = Object.entries(resources).filter(
        ([, resource]) => resource.Type === 'AWS::ApiGateway::ApiKey',
      );
      expect(plans.length).toBeGreaterThan(0);
      expect(keys.length).toBeGreaterThan(0);
      for (const [, plan] of plans) {
        for (const apiStage of asArray(plan.Properties?.ApiStages)) {
          expect(JSON.stringify(apiStage)).toContain(`"ApiId":{"Ref":"${api}"}`);
        }
      }
      for (const [, key] of keys) {
        expect(String(key.Properties?.Name)).toContain(`-${stage}-`);
        for (const stageKey of asArray(key.Properties?.StageKeys))
          expect(JSON.stringify(stageKey)).toContain(`{"Ref":"${api}"}`);
      }
      for (const [, link] of Object.entries(resources).filter(
        ([, resource]) => resource.Type === 'AWS::ApiGateway::UsagePlanKey',
      )) {
        expect(plans.map(([id]) => id)).toContain(refId(link.Properties?.UsagePlanId));
        expect(keys.map(([id]) => id)).toContain(refId(link.Properties?.KeyId));
      }
    });
  });
}
