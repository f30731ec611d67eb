/**
 * One stack per stage: data (tables, keys), provider secrets, the sync pipeline (schedules, queues,
 * workers), the API functions and REST API, and observability. One stack keeps every reference local;
 * the stateful resources are protected by RETAIN and deletion protection where the stage asks for it.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ApiFunctionName } from '../lib/api/routes.ts';
import { TABLE } from '../lib/store/table.ts';
import { CONDITIONAL_ITEM_WRITES, grantTable } from './constructs/access.ts';
import { Api } from './constructs/api.ts';
import { DataStore } from './constructs/data.ts';
import { apiSecretArnVar, baseUrlVar, syncQueueUrlVar, webhookSecretArnVar } from './constructs/env.ts';
import { acknowledge } from './constructs/nag.ts';
import { Observability } from './constructs/observability.ts';
import { ProviderSecrets } from './constructs/secrets.ts';
import { ServiceFunction } from './constructs/service-function.ts';
import { rateLimitVariables, SyncPipeline } from './constructs/sync.ts';
import { enabledProviders, type StageConfig } from './stages.ts';

export interface CustomerSyncStackProps extends StackProps {
  stage: StageConfig;
  /** Overrides `stage.alarms.notificationEmail` (`-c alarmEmail=`). */
  alarmEmail?: string | null;
}

export class CustomerSyncStack extends Stack {
  readonly data: DataStore;
  readonly secrets: ProviderSecrets;
  readonly sync: SyncPipeline;
  readonly apiFunctions: Record<ApiFunctionName, ServiceFunction>;
  readonly api: Api;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: CustomerSyncStackProps) {
    super(scope, id, props);
    const { stage } = props;
    const providers = enabledProviders(stage);

    this.data = new DataStore(this, 'Data', { stage });
    this.secrets = new ProviderSecrets(this, 'Secrets', { stage });
    this.sync = new SyncPipeline(this, 'Sync', { stage, data: this.data, secrets: this.secrets });
    const { data, secrets, sync } = this;
    const queueUrls = Object.fromEntries(
      providers.map((provider) => [syncQueueUrlVar(provider), sync.of(provider).queue.queueUrl]),
    );
    const common = {
      TABLE_NAME: data.table.tableName,
      ENABLED_PROVIDERS: providers.join(','),
    };

    const readApi = new ServiceFunction(this, 'ReadApi', {
      name: 'read-api',
      description: `customer-sync ${stage.name}: GET /customers..., POST /customers/{id}/links, GET /openapi.json`,
      memoryMb: 1024,
      timeout: Duration.seconds(10),
      stage,
      // Queue URLs: linking an existing provider customer enqueues its first fetch right away.
      environment: { ...common, ...queueUrls, HISTORY_RETENTION_DAYS: String(stage.historyRetentionDays) },
    });
    for (const provider of providers) sync.of(provider).queue.grantSendMessages(readApi.fn);
    // Reads by key and through the lookup indexes. POST /customers/{id}/links is its one write: it
    // creates the link and its sync state with conditions (PutItem/UpdateItem, ConditionCheckItem in a
    // transaction). DynamoDB IAM cannot narrow writes to those item kinds (the partition key is shared
    // by all items of a customer), so the handler's code is the boundary; no DeleteItem, no Scan.
    grantTable(readApi.fn, {
      table: data.table,
      key: data.key,
      actions: CONDITIONAL_ITEM_WRITES,
      indexes: [
        TABLE.indexes.byProviderId.name,
        TABLE.indexes.byReference.name,
        TABLE.indexes.byEmail.name,
        TABLE.indexes.allCustomers.name,
      ],
    });

    const createCustomer = new ServiceFunction(this, 'CreateCustomer', {
      name: 'create-customer',
      description: `customer-sync ${stage.name}: POST /customers, creates the customer at each provider once`,
      memoryMb: 1024,
      // Just under API Gateway's 29 s integration timeout; pending creates finish in the worker.
      timeout: Duration.seconds(28),
      stage,
      environment: {
        ...common,
        IDEMPOTENCY_TABLE_NAME: data.idempotencyTable.tableName,
        HISTORY_RETENTION_DAYS: String(stage.historyRetentionDays),
        ...Object.fromEntries(
          providers.flatMap((provider) => [
            [apiSecretArnVar(provider), secrets.of(provider).api.secretArn],
            [baseUrlVar(provider), stage.providers[provider].baseUrl],
          ]),
        ),
        ...Object.assign({}, ...providers.map((provider) => rateLimitVariables(stage, provider))),
      },
    });
    grantTable(createCustomer.fn, {
      table: data.table,
      key: data.key,
      actions: CONDITIONAL_ITEM_WRITES,
      indexes: [TABLE.indexes.byReference.name],
    });
    // Powertools idempotency: get, conditional put, update on completion, delete on failure.
    grantTable(createCustomer.fn, {
      table: data.idempotencyTable,
      key: data.key,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    });
    // No queue: a create that stays pending is picked up by the scheduler (pending links are due).
    for (const provider of providers) {
      secrets.of(provider).api.grantRead(createCustomer.fn);
    }

    const webhook = new ServiceFunction(this, 'ProviderWebhook', {
      name: 'provider-webhook',
      description: `customer-sync ${stage.name}: POST /webhooks/{provider}, verifies and enqueues a re-fetch`,
      memoryMb: 512,
      timeout: Duration.seconds(10),
      stage,
      environment: {
        ...common,
        IDEMPOTENCY_TABLE_NAME: data.idempotencyTable.tableName,
        ...queueUrls,
        ...Object.fromEntries(
          providers.map((provider) => [
            webhookSecretArnVar(provider),
            secrets.of(provider).webhook.secretArn,
          ]),
        ),
      },
    });
    // Read-only on customers: finds the customer a webhook names (by provider id or reference). On the
    // idempotency table it claims event ids (conditional Put) and releases them on failure (Delete).
    // Webhook secrets only: it never calls a provider.
    grantTable(webhook.fn, {
      table: data.table,
      key: data.key,
      actions: ['dynamodb:GetItem', 'dynamodb:Query'],
      indexes: [TABLE.indexes.byProviderId.name, TABLE.indexes.byReference.name],
    });
    grantTable(webhook.fn, {
      table: data.idempotencyTable,
      key: data.key,
      actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
    });
    for (const provider of providers) {
      secrets.of(provider).webhook.grantRead(webhook.fn);
      sync.of(provider).queue.grantSendMessages(webhook.fn);
    }

    this.apiFunctions = {
      'read-api': readApi,
      'create-customer': createCustomer,
      'provider-webhook': webhook,
    };
    for (const fn of Object.values(this.apiFunctions)) {
      acknowledge(
        fn.fn,
        'Serverless-LambdaDLQ',
        'Invoked synchronously by API Gateway: the caller gets the error; a dead-letter queue only applies to asynchronous invocations.',
      );
    }
    this.api = new Api(this, 'Api', { stage, functions: this.apiFunctions });
    this.observability = new Observability(this, 'Observability', {
      stage,
      sync,
      api: this.api,
      apiFunctions: Object.values(this.apiFunctions),
      alarmEmail: props.alarmEmail === undefined ? stage.alarms.notificationEmail : props.alarmEmail,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url, description: 'Base URL of the API stage' });
    new CfnOutput(this, 'TableName', { value: data.table.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.observability.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: `customer-sync-${stage.name}` });
  }
}
