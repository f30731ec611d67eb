/**
 * Synthesizes dev, staging and prod through the real app (`buildApp`, cdk.json context, bundling and
 * cdk-nag included) once each, then asserts on the templates.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import {
  API_SECRET_FIELDS,
  apiSecretName,
  WEBHOOK_SECRET_FIELDS,
  webhookSecretName,
} from '../../infra/constructs/secrets.ts';
import { enabledProviders, rateExpression } from '../../infra/stages.ts';
import { API_ROUTES } from '../../lib/api/routes.ts';
import { PROVIDERS, type ProviderName } from '../../lib/customer/snapshot.ts';
import { IDEMPOTENCY_TABLE } from '../../lib/store/idempotency-table.ts';
import { indexProjection, TABLE } from '../../lib/store/table.ts';
import { SchedulerEventSchema } from '../../lib/sync/scheduler.ts';
import {
  type CfnResource,
  functionStatements,
  lambda,
  lambdas,
  ofType,
  prop,
  refId,
  refsIn,
  type Statement,
  type SynthesizedStage,
  synthesizeStage,
} from './synth-stage.ts';

const STAGES = ['dev', 'staging', 'prod'] as const;
const MAX_BUNDLE_BYTES = 1024 * 1024;

const synthesized = new Map<string, SynthesizedStage>();

beforeAll(() => {
  for (const name of STAGES) synthesized.set(name, synthesizeStage(name));
}, 240_000);

afterAll(() => {
  for (const synth of synthesized.values()) synth.cleanup();
});

function get(name: string): SynthesizedStage {
  const synth = synthesized.get(name);
  if (!synth) throw new Error(`stage ${name} was not synthesized`);
  return synth;
}

function secretIds(resources: Record<string, CfnResource>): Map<string, string> {
  return new Map(
    ofType(resources, 'AWS::SecretsManager::Secret').map(([id, secret]) => [
      String(prop(secret, 'Name')),
      id,
    ]),
  );
}

function secretId(synth: SynthesizedStage, name: string): string {
  const id = secretIds(synth.resources).get(name);
  if (!id) throw new Error(`no secret ${name}`);
  return id;
}

function resourcesOf(statements: Statement[], actionPrefix: string): string[] {
  return statements
    .filter((statement) => statement.Action.some((action) => action.startsWith(actionPrefix)))
    .flatMap((statement) => statement.Resource.map((resource) => refId(resource) ?? JSON.stringify(resource)))
    .sort();
}

function actions(statements: Statement[]): Set<string> {
  return new Set(statements.flatMap((statement) => statement.Action));
}

function tableId(synth: SynthesizedStage, partitionKey: string): string {
  const found = ofType(synth.resources, 'AWS::DynamoDB::Table').find(([, table]) =>
    prop<{ AttributeName: string; KeyType: string }[]>(table, 'KeySchema').some(
      (key) => key.KeyType === 'HASH' && key.AttributeName === partitionKey,
    ),
  );
  if (!found) throw new Error(`no table keyed by ${partitionKey}`);
  return found[0];
}

/** DynamoDB actions a role may use on the customers table itself (not its indexes). */
function customerTableActions(synth: SynthesizedStage, statements: Statement[]): string[] {
  const table = tableId(synth, TABLE.partitionKey);
  return statements
    .filter((statement) => statement.Resource.some((resource) => refId(resource) === table))
    .flatMap((statement) => statement.Action)
    .sort();
}

const BENIGN_LITERAL_VARIABLES = new Set([
  'STAGE',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
  'NODE_OPTIONS',
  'PROVIDER',
  'ENABLED_PROVIDERS',
  'HISTORY_RETENTION_DAYS',
]);

describe.each(STAGES)('infra app (%s)', (name) => {
  it('synthesizes with no unacknowledged cdk-nag finding (AwsSolutions and Serverless)', () => {
    const { app } = get(name);
    const findings = [new AwsSolutionsChecks(app), new ServerlessChecks(app)].flatMap((pack) =>
      pack
        .validateScope(app)
        .violations.flatMap((violation) =>
          violation.violatingResources.map(
            (resource) => `${violation.ruleName} at ${resource.constructPath ?? resource.resourceLogicalId}`,
          ),
        ),
    );
    expect(findings).toEqual([]);
  });

  it('acknowledges cdk-nag rules only on resources, each with a reason', () => {
    const { app, stack } = get(name);
    const acknowledgements: { path: string; id: string; reason: string }[] = [];
    const visit = (construct: IConstruct) => {
      for (const entry of construct.node.metadata) {
        if (entry.type !== 'aws:cdk:acknowledged-rules') continue;
        const data: Record<string, string> = entry.data;
        for (const [id, reason] of Object.entries(data)) {
          acknowledgements.push({ path: construct.node.path, id, reason });
        }
      }
      for (const child of construct.node.children) visit(child);
    };
    visit(app);
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const acknowledgement of acknowledgements) {
      expect(acknowledgement.path).not.toBe(stack.node.path);
      expect(acknowledgement.path).not.toBe('');
      expect(acknowledgement.reason.length).toBeGreaterThan(60);
    }
  });

  it('builds both tables on demand, KMS-encrypted with a customer key, with PITR and TTL', () => {
    const synth = get(name);
    synth.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      GlobalSecondaryIndexes: Object.values(TABLE.indexes).map((index) =>
        Match.objectLike({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: indexProjection(index),
        }),
      ),
    });
    synth.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: IDEMPOTENCY_TABLE.partitionKey, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      TimeToLiveSpecification: { AttributeName: IDEMPOTENCY_TABLE.ttlAttribute, Enabled: true },
    });
    for (const [, key] of ofType(synth.resources, 'AWS::KMS::Key')) {
      expect(prop(key, 'EnableKeyRotation')).toBe(true);
    }
  });

  it('retains and protects stateful resources only where the stage says so', () => {
    const synth = get(name);
    const retain = synth.stage.removalPolicy === 'retain';
    const stateful = [
      ...ofType(synth.resources, 'AWS::DynamoDB::Table'),
      ...ofType(synth.resources, 'AWS::KMS::Key'),
      ...ofType(synth.resources, 'AWS::SecretsManager::Secret'),
    ];
    expect(stateful.length).toBeGreaterThan(4);
    for (const [id, resource] of stateful) {
      expect([id, resource.DeletionPolicy]).toEqual([id, retain ? 'Retain' : 'Delete']);
    }
    for (const [, table] of ofType(synth.resources, 'AWS::DynamoDB::Table')) {
      expect(prop(table, 'DeletionProtectionEnabled')).toBe(retain);
    }
  });

  it('gives every enabled provider a KMS-encrypted API and webhook secret holding no value', () => {
    const synth = get(name);
    const providers = enabledProviders(synth.stage);
    const expected = providers.flatMap((p) => [apiSecretName(name, p), webhookSecretName(name, p)]).sort();
    expect([...secretIds(synth.resources).keys()].sort()).toEqual(expected);
    for (const [, secret] of ofType(synth.resources, 'AWS::SecretsManager::Secret')) {
      expect(prop(secret, 'SecretString')).toBeUndefined();
      expect(prop(secret, 'KmsKeyId')).toBeDefined();
      const generated = prop<{ SecretStringTemplate: string; GenerateStringKey: string }>(
        secret,
        'GenerateSecretString',
      );
      const shape: Record<string, string> = JSON.parse(generated.SecretStringTemplate);
      expect(Object.values(shape).every((value) => value === '')).toBe(true);
      const secretName = String(prop(secret, 'Name'));
      const provider = PROVIDERS.find((p) => secretName.includes(`/${p}/`));
      if (!provider) throw new Error(`secret ${secretName} names no provider`);
      const fields = secretName.endsWith('/api')
        ? API_SECRET_FIELDS[provider]
        : WEBHOOK_SECRET_FIELDS[provider];
      expect(Object.keys(shape).sort()).toEqual([...fields].sort());
    }
  });

  it('puts no secret value in any Lambda environment: only ARNs, names, URLs and config', () => {
    const synth = get(name);
    const typeOf = (value: unknown) => {
      const id = refId(value);
      return id ? synth.resources[id]?.Type : undefined;
    };
    for (const fn of lambdas(synth.resources)) {
      for (const [variable, value] of Object.entries(fn.env)) {
        const where = `${fn.service}${fn.provider ? `/${fn.provider}` : ''} ${variable}`;
        if (typeof value !== 'string') {
          const expectedType = /_SECRET_ARN$/.test(variable)
            ? 'AWS::SecretsManager::Secret'
            : /^SYNC_QUEUE_URL_[A-Z]+$/.test(variable)
              ? 'AWS::SQS::Queue'
              : /^(IDEMPOTENCY_)?TABLE_NAME$/.test(variable)
                ? 'AWS::DynamoDB::Table'
                : 'not a reference';
          expect([where, typeOf(value)]).toEqual([where, expectedType]);
          continue;
        }
        if (/_BASE_URL$/.test(variable)) {
          expect([where, new URL(value).protocol]).toEqual([where, 'https:']);
        } else if (/_RATE_LIMIT_(RPS|BURST)$/.test(variable)) {
          expect([where, Number.isFinite(Number(value))]).toEqual([where, true]);
        } else {
          expect([where, BENIGN_LITERAL_VARIABLES.has(variable)]).toEqual([where, true]);
        }
      }
    }
  });

  it('runs every function on Node 24, ARM64, with X-Ray, explicit memory/timeout and a retained log group', () => {
    const synth = get(name);
    const functions = lambdas(synth.resources);
    expect(functions.map((fn) => `${fn.service}${fn.provider ? `/${fn.provider}` : ''}`).sort()).toEqual(
      [
        'create-customer',
        'provider-webhook',
        'read-api',
        'sync-scheduler',
        ...enabledProviders(synth.stage).map((p) => `sync-worker/${p}`),
      ].sort(),
    );
    for (const fn of functions) {
      expect(prop(fn.resource, 'Runtime')).toBe('nodejs24.x');
      expect(prop(fn.resource, 'Architectures')).toEqual(['arm64']);
      expect(prop(fn.resource, 'TracingConfig')).toEqual({ Mode: 'Active' });
      expect(prop(fn.resource, 'MemorySize')).toBeGreaterThanOrEqual(256);
      expect(prop(fn.resource, 'Timeout')).toBeGreaterThan(3);
      const logGroupId = refId(prop<{ LogGroup: unknown }>(fn.resource, 'LoggingConfig').LogGroup);
      const logGroup = logGroupId ? synth.resources[logGroupId] : undefined;
      expect(logGroup?.Type).toBe('AWS::Logs::LogGroup');
      if (logGroup) expect(prop(logGroup, 'RetentionInDays')).toBe(synth.stage.logRetentionDays);
    }
    for (const [, logGroup] of ofType(synth.resources, 'AWS::Logs::LogGroup')) {
      expect(prop(logGroup, 'RetentionInDays')).toBe(synth.stage.logRetentionDays);
    }
  });

  it('gives each provider an encrypted, SSL-only sync queue with a DLQ and a capped, batch-reporting worker', () => {
    const synth = get(name);
    const queues = ofType(synth.resources, 'AWS::SQS::Queue');
    for (const [, queue] of queues) expect(prop(queue, 'SqsManagedSseEnabled')).toBe(true);
    const sslDenied = new Set(
      ofType(synth.resources, 'AWS::SQS::QueuePolicy')
        .filter(([, policy]) =>
          prop<{ Statement: { Effect: string; Condition?: unknown }[] }>(
            policy,
            'PolicyDocument',
          ).Statement.some(
            (statement) =>
              statement.Effect === 'Deny' &&
              JSON.stringify(statement.Condition) ===
                JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
          ),
        )
        .flatMap(([, policy]) => prop<unknown[]>(policy, 'Queues').map(refId)),
    );
    expect(queues.map(([id]) => sslDenied.has(id))).toEqual(queues.map(() => true));

    const mappings = ofType(synth.resources, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(enabledProviders(synth.stage).length);
    for (const provider of enabledProviders(synth.stage)) {
      const worker = lambda(synth.resources, 'sync-worker', provider);
      const mapping = mappings.find(([, m]) => refId(prop(m, 'FunctionName')) === worker.id);
      if (!mapping) throw new Error(`no event source for the ${provider} worker`);
      const [, source] = mapping;
      expect(prop(source, 'FunctionResponseTypes')).toEqual(['ReportBatchItemFailures']);
      expect(prop(source, 'ScalingConfig')).toEqual({
        MaximumConcurrency: synth.stage.providers[provider].workerMaxConcurrency,
      });
      const queueId = refId(prop(source, 'EventSourceArn'));
      const queue = queueId ? synth.resources[queueId] : undefined;
      if (!queue) throw new Error(`${provider} worker reads no queue`);
      const redrive = prop<{ deadLetterTargetArn: unknown; maxReceiveCount: number }>(queue, 'RedrivePolicy');
      expect(redrive.maxReceiveCount).toBe(synth.stage.sync.dlqMaxReceiveCount);
      const dlqId = refId(redrive.deadLetterTargetArn);
      expect(dlqId && synth.resources[dlqId]?.Type).toBe('AWS::SQS::Queue');
      // Six times the worker timeout, as AWS advises for Lambda event sources.
      expect(prop(queue, 'VisibilityTimeout')).toBe(6 * Number(prop(worker.resource, 'Timeout')));
      expect(worker.env[`SYNC_QUEUE_URL_${provider.toUpperCase()}`]).toBeUndefined();
      expect(
        refId(lambda(synth.resources, 'sync-scheduler').env[`SYNC_QUEUE_URL_${provider.toUpperCase()}`]),
      ).toBe(queueId);
    }
  });

  it('schedules a due run per enabled provider and due-index shard and a backfill where it lists, with retries and a DLQ', () => {
    const synth = get(name);
    const scheduler = lambda(synth.resources, 'sync-scheduler');
    const schedules = ofType(synth.resources, 'AWS::Scheduler::Schedule').map(([, schedule]) => {
      const target = prop<{
        Arn: unknown;
        Input: string;
        RetryPolicy: { MaximumRetryAttempts: number };
        DeadLetterConfig: { Arn: unknown };
      }>(schedule, 'Target');
      return {
        expression: prop<string>(schedule, 'ScheduleExpression'),
        target,
        input: JSON.parse(target.Input),
      };
    });
    const expected = enabledProviders(synth.stage).flatMap((provider) => {
      const config = synth.stage.providers[provider];
      return [
        ...Array.from({ length: TABLE.dueShards }, (_, shard) => ({
          provider,
          mode: 'due',
          shard,
          expression: rateExpression(config.syncEvery),
        })),
        ...(config.backfillEvery
          ? [{ provider, mode: 'backfill', expression: rateExpression(config.backfillEvery) }]
          : []),
      ];
    });
    const key = (s: { provider: string; mode: string; shard?: number }) =>
      `${s.provider}:${s.mode}:${s.shard ?? ''}`;
    expect(
      schedules
        .map((s) => ({ ...s.input, expression: s.expression }))
        .sort((a, b) => key(a).localeCompare(key(b))),
    ).toEqual(expected.sort((a, b) => key(a).localeCompare(key(b))));
    const dlq = refId(schedules[0]?.target.DeadLetterConfig.Arn);
    expect(dlq && synth.resources[dlq]?.Type).toBe('AWS::SQS::Queue');
    for (const schedule of schedules) {
      // Every input is an event the scheduler accepts as it stands (a shard in range, due runs only).
      expect(SchedulerEventSchema.parse(schedule.input)).toEqual({ mode: 'due', ...schedule.input });
      expect(refId(schedule.target.Arn)).toBe(scheduler.id);
      expect(schedule.target.RetryPolicy.MaximumRetryAttempts).toBe(synth.stage.sync.scheduleRetryAttempts);
      expect(refId(schedule.target.DeadLetterConfig.Arn)).toBe(dlq);
    }
    synth.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: scheduler.id },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
    });
  });

  it('requires an API key on every route but the webhook, validates requests and logs JSON access logs', () => {
    const synth = get(name);
    const resources = Object.fromEntries(ofType(synth.resources, 'AWS::ApiGateway::Resource'));
    const pathOf = (resourceId: unknown): string => {
      const id = refId(resourceId);
      const resource = id ? resources[id] : undefined;
      if (!resource) return '';
      return `${pathOf(prop(resource, 'ParentId'))}/${String(prop(resource, 'PathPart'))}`;
    };
    const methods = ofType(synth.resources, 'AWS::ApiGateway::Method').map(([, method]) => ({
      route: `${String(prop(method, 'HttpMethod'))} ${pathOf(prop(method, 'ResourceId'))}`,
      apiKeyRequired: prop(method, 'ApiKeyRequired') === true,
      authorizationType: prop(method, 'AuthorizationType'),
      validator: prop(method, 'RequestValidatorId'),
      parameters: prop<Record<string, boolean>>(method, 'RequestParameters'),
    }));
    expect(methods.map((m) => m.route).sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of API_ROUTES) {
      const method = methods.find((m) => m.route === `${route.method} ${route.path}`);
      expect([route.path, method?.apiKeyRequired]).toEqual([route.path, route.auth === 'api-key']);
      expect(method?.authorizationType).toBe('NONE');
      expect(method?.validator).toBeDefined();
      for (const param of route.path.match(/\{[^}]+\}/g) ?? []) {
        expect(method?.parameters[`method.request.path.${param.slice(1, -1)}`]).toBe(true);
      }
    }
    const history = methods.find((m) => m.route === 'GET /customers/{id}/history');
    expect(history?.parameters['method.request.querystring.provider']).toBe(true);
    expect(history?.parameters['method.request.querystring.cursor']).toBe(false);

    const stage = ofType(synth.resources, 'AWS::ApiGateway::Stage')[0]?.[1];
    if (!stage) throw new Error('no API stage');
    expect(prop(stage, 'TracingEnabled')).toBe(true);
    const accessLog = prop<{ DestinationArn: unknown; Format: string }>(stage, 'AccessLogSetting');
    const fields: Record<string, string> = JSON.parse(accessLog.Format);
    expect(fields.requestId).toBe('$context.requestId');
    expect(Object.values(fields).join(' ')).not.toMatch(/querystring|requestOverride/i);
    expect(refsIn(accessLog.DestinationArn).map((id) => synth.resources[id]?.Type)).toContain(
      'AWS::Logs::LogGroup',
    );
    const settings = prop<Record<string, unknown>[]>(stage, 'MethodSettings')[0];
    expect(settings).toMatchObject({
      DataTraceEnabled: false,
      LoggingLevel: 'ERROR',
      ThrottlingRateLimit: synth.stage.api.throttle.rateLimit,
      ThrottlingBurstLimit: synth.stage.api.throttle.burstLimit,
    });
    synth.template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: {
        RateLimit: synth.stage.api.perKey.rateLimit,
        BurstLimit: synth.stage.api.perKey.burstLimit,
      },
      Quota: { Limit: synth.stage.api.perKey.quota.limit, Period: synth.stage.api.perKey.quota.period },
    });
    synth.template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', synth.stage.api.keys.length);
    synth.template.resourceCountIs('AWS::WAFv2::WebACLAssociation', synth.stage.api.waf ? 1 : 0);
    synth.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'INVALID_API_KEY',
      StatusCode: '403',
      ResponseParameters: { 'gatewayresponse.header.Content-Type': "'application/problem+json'" },
    });
  });

  it('grants the read API table reads, the link write and its first-fetch enqueue only: no secrets, scans or deletes', () => {
    const synth = get(name);
    const statements = functionStatements(synth.resources, lambda(synth.resources, 'read-api').id);
    const granted = actions(statements);
    expect([...granted].filter((action) => /^secretsmanager:/.test(action))).toEqual([]);
    // POST /customers/{id}/links enqueues the new link's first fetch: send only, to each sync queue.
    expect([...granted].filter((action) => /^sqs:/.test(action)).sort()).toEqual(
      expect.arrayContaining(['sqs:SendMessage']),
    );
    expect([...granted].filter((action) => /^sqs:(Receive|Delete|Purge)/.test(action))).toEqual([]);
    expect(resourcesOf(statements, 'sqs:SendMessage').length).toBe(enabledProviders(synth.stage).length);
    expect(customerTableActions(synth, statements)).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect([...granted].filter((action) => /Scan|DeleteItem|Batch|\*$/.test(action))).toEqual([]);
    const idempotency = tableId(synth, IDEMPOTENCY_TABLE.partitionKey);
    expect(statements.some((s) => s.Resource.some((r) => refId(r) === idempotency))).toBe(false);
    // Nor may it decrypt secrets through the secrets key's policy.
    const roleId = refId(prop(lambda(synth.resources, 'read-api').resource, 'Role'));
    for (const [, key] of ofType(synth.resources, 'AWS::KMS::Key')) {
      expect(JSON.stringify(prop(key, 'KeyPolicy'))).not.toContain(`"${roleId}"`);
    }
  });

  it('grants the webhook its webhook secrets, the queues and event-id dedupe, and no API secret', () => {
    const synth = get(name);
    const providers = enabledProviders(synth.stage);
    const statements = functionStatements(synth.resources, lambda(synth.resources, 'provider-webhook').id);
    expect(resourcesOf(statements, 'secretsmanager:')).toEqual(
      providers.map((p) => secretId(synth, webhookSecretName(name, p))).sort(),
    );
    expect(customerTableActions(synth, statements)).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(resourcesOf(statements, 'sqs:SendMessage').length).toBe(providers.length);
  });

  it('lets each worker read only its own provider API secret', () => {
    const synth = get(name);
    for (const provider of enabledProviders(synth.stage)) {
      const worker = lambda(synth.resources, 'sync-worker', provider);
      expect(resourcesOf(functionStatements(synth.resources, worker.id), 'secretsmanager:')).toEqual([
        secretId(synth, apiSecretName(name, provider)),
      ]);
      expect(Object.keys(worker.env).filter((v) => v.endsWith('_SECRET_ARN'))).toEqual([
        `${provider.toUpperCase()}_SECRET_ARN`,
      ]);
    }
  });

  it('lets create-customer read API secrets and the scheduler only those of backfilling providers', () => {
    const synth = get(name);
    const providers = enabledProviders(synth.stage);
    const create = functionStatements(synth.resources, lambda(synth.resources, 'create-customer').id);
    expect(resourcesOf(create, 'secretsmanager:')).toEqual(
      providers.map((p) => secretId(synth, apiSecretName(name, p))).sort(),
    );
    // A create left pending is retried by the scheduler: create-customer never touches a queue.
    expect(resourcesOf(create, 'sqs:')).toEqual([]);
    const scheduler = functionStatements(synth.resources, lambda(synth.resources, 'sync-scheduler').id);
    expect(resourcesOf(scheduler, 'secretsmanager:')).toEqual(
      providers
        .filter((p) => synth.stage.providers[p].backfillEvery)
        .map((p) => secretId(synth, apiSecretName(name, p)))
        .sort(),
    );
  });

  it('uses no wildcard action anywhere and Resource "*" only for X-Ray', () => {
    const synth = get(name);
    for (const fn of lambdas(synth.resources)) {
      for (const statement of functionStatements(synth.resources, fn.id)) {
        expect(statement.Action.filter((action) => action.endsWith('*') || action === '*')).toEqual([]);
        if (statement.Resource.includes('*')) {
          expect(statement.Action.every((action) => action.startsWith('xray:'))).toBe(true);
        }
      }
    }
  });

  it('alarms on DLQs, worker and scheduler failures, staleness, truncated scheduler runs, API 5xx and p99 latency into an encrypted topic', () => {
    const synth = get(name);
    const alarms = ofType(synth.resources, 'AWS::CloudWatch::Alarm');
    const names = alarms.map(([, alarm]) => String(prop(alarm, 'AlarmName'))).sort();
    const expected = [
      ...enabledProviders(synth.stage).flatMap((p) => [
        `${p}-scheduler-truncated`,
        `${p}-sync-dlq`,
        `${p}-sync-stale`,
        `${p}-worker-errors`,
      ]),
      'api-5xx',
      'api-latency-p99',
      'scheduler-errors',
      'scheduler-failures',
    ].map((alarm) => `customer-sync-${name}-${alarm}`);
    expect(names).toEqual(expected.sort());
    const topicId = ofType(synth.resources, 'AWS::SNS::Topic')[0]?.[0];
    for (const [, alarm] of alarms) {
      expect(prop<unknown[]>(alarm, 'AlarmActions').map(refId)).toEqual([topicId]);
    }
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `customer-sync-${name}-${enabledProviders(synth.stage)[0]}-sync-stale`,
      Namespace: 'CustomerSync',
      MetricName: 'OldestOverdueSeconds',
      Dimensions: Match.arrayWith([{ Name: 'provider', Value: enabledProviders(synth.stage)[0] }]),
      Threshold: synth.stage.alarms.syncStalenessSeconds,
      TreatMissingData: 'breaching',
    });
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `customer-sync-${name}-api-latency-p99`,
      ExtendedStatistic: 'p99',
      Threshold: synth.stage.alarms.apiLatencyP99Ms,
    });
    synth.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('draws one dashboard with per-provider sync health, queue age and DLQ depth', () => {
    const synth = get(name);
    const dashboards = ofType(synth.resources, 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(prop(dashboards[0]?.[1] ?? { Type: '' }, 'DashboardBody'));
    for (const provider of enabledProviders(synth.stage)) {
      for (const metric of ['CustomersSynced', 'CustomersChanged', 'SyncFailures']) {
        expect(body).toContain(`MetricName=\\\\\\"${metric}\\\\\\" provider=\\\\\\"${provider}\\\\\\"`);
      }
    }
    expect(body).toContain('ApproximateAgeOfOldestMessage');
    expect(body).toContain('ApproximateNumberOfMessagesVisible');
  });

  it('bundles every function as minified ESM with the require banner and the AWS SDK left out, under 1 MB', () => {
    const synth = get(name);
    const sizes: string[] = [];
    const seen = new Set<string>();
    for (const fn of lambdas(synth.resources)) {
      const code = prop<{ S3Key: string }>(fn.resource, 'Code');
      const assetDir = join(synth.assemblyDir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
      const files = readdirSync(assetDir);
      expect(files.sort()).toEqual(['index.mjs', 'index.mjs.map']);
      const bundle = join(assetDir, 'index.mjs');
      const bytes = statSync(bundle).size;
      const source = readFileSync(bundle, 'utf8');
      expect(
        source.startsWith(
          "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        ),
      ).toBe(true);
      // Minified: a handful of very long lines, not thousands of short ones.
      expect(bytes / source.split('\n').length).toBeGreaterThan(1000);
      expect(bytes).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
      // semver (required by the X-Ray SDK's SDK v2 patcher only) is replaced by the stub, if traced.
      if (source.includes('captureAWSv3Client')) {
        expect(source).toContain('captureAWS (AWS SDK v2) is not supported in this bundle');
        expect(source).not.toContain('Invalid SemVer Range');
      }
      // Powertools' JMESPath engine is replaced by the field-path resolver wherever it was imported.
      expect(source).not.toContain('Invalid jmespath expression');
      // node:http is required, not imported: an ES import of it loads undici at init.
      expect(source).not.toMatch(/from\s*"node:http"/);
      if (!seen.has(fn.service)) {
        seen.add(fn.service);
        sizes.push(`${fn.service}: ${(bytes / 1024).toFixed(1)} KB`);
      }
    }
    // The size report the benchmark compares against its 300 KB target.
    console.log(`Lambda bundle sizes (${name}):\n  ${sizes.join('\n  ')}`);
    expect(sizes).toHaveLength(5);
  });
});

describe('infra app (prod)', () => {
  it('creates nothing for a provider the stage disables', () => {
    const synth = get('prod');
    const disabled = PROVIDERS.filter((p: ProviderName) => !synth.stage.providers[p].enabled);
    expect(disabled.length).toBeGreaterThan(0);
    for (const provider of disabled) {
      expect([...secretIds(synth.resources).keys()].filter((n) => n.includes(`/${provider}/`))).toEqual([]);
      for (const fn of lambdas(synth.resources)) {
        expect(Object.keys(fn.env).filter((v) => v.includes(provider.toUpperCase()))).toEqual([]);
        expect(String(fn.env.ENABLED_PROVIDERS ?? '')).not.toContain(provider);
      }
    }
  });
});
