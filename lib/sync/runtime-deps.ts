/**
 * Builds the sync services' dependencies from the runtime configuration: what each handler's default
 * export uses in AWS (the local runtime and the tests pass their own to the handler factories).
 * Clients are created once per process by the callers (module scope in the handlers).
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadRuntimeProviderConfigs, queueUrlFor, type RuntimeConfig } from '../config/runtime.ts';
import type { ProviderName } from '../customer/snapshot.ts';
import type { ProviderAdapter } from '../providers/adapter.ts';
import { createAdapters } from '../providers/registry.ts';
import { createDynamoClients } from '../store/client.ts';
import { CustomerStore } from '../store/customer-store.ts';
import { IDEMPOTENCY_TABLE } from '../store/idempotency-table.ts';
import { SqsSyncQueue } from './queue.ts';
import { createSyncSchedule, type SyncSchedule } from './schedule.ts';

export function createRuntimeStore(config: RuntimeConfig) {
  const clients = createDynamoClients({ region: config.store.region, endpoint: config.store.endpoint });
  const store = new CustomerStore({
    doc: clients.doc,
    tableName: config.store.tableName,
    historyRetentionDays: config.store.historyRetentionDays,
  });
  return { ...clients, store };
}

export function createRuntimeSchedule(config: RuntimeConfig): SyncSchedule {
  return createSyncSchedule({
    intervalSeconds: config.sync.intervalSeconds,
    retryBaseSeconds: config.sync.retryBaseSeconds,
    maxBackoffSeconds: config.sync.maxBackoffSeconds,
  });
}

export function createRuntimeSqsClient(config: RuntimeConfig): SQSClient {
  return new SQSClient({
    region: config.store.region,
    ...(config.sqsEndpoint ? { endpoint: config.sqsEndpoint } : {}),
  });
}

export function createRuntimeQueue(config: RuntimeConfig, client: SQSClient): SqsSyncQueue {
  return new SqsSyncQueue({ client, queueUrlFor: (provider) => queueUrlFor(config, provider) });
}

export function createIdempotencyPersistence(
  config: RuntimeConfig,
  client: ReturnType<typeof createDynamoClients>['client'],
): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({
    tableName: config.idempotencyTableName,
    keyAttr: IDEMPOTENCY_TABLE.partitionKey,
    expiryAttr: IDEMPOTENCY_TABLE.ttlAttribute,
    awsSdkV3Client: client,
  });
}

/** Adapters of `providers` (default: the enabled ones), from their API configuration. */
export async function createRuntimeAdapters(
  config: RuntimeConfig,
  providers: readonly ProviderName[] = config.enabledProviders,
): Promise<Partial<Record<ProviderName, ProviderAdapter>>> {
  const configs = await loadRuntimeProviderConfigs(providers);
  return createAdapters(configs);
}
