/**
 * Dependencies of the handlers that call providers (create-customer, sync-worker, sync-scheduler):
 * adapters from the providers' API configuration, and Powertools idempotency persistence.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { RuntimeConfig } from '../config/runtime.ts';
import { loadRuntimeProviderConfigs } from '../config/runtime-providers.ts';
import type { ProviderName } from '../customer/snapshot.ts';
import type { ProviderAdapter } from '../providers/adapter.ts';
import { createAdapters } from '../providers/registry.ts';
import type { createDynamoClients } from '../store/client.ts';
import { IDEMPOTENCY_TABLE } from '../store/idempotency-table.ts';

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
