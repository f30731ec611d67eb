/**
 * Powertools idempotency persistence for create-customer. Its own module: the persistence layer pulls
 * in Powertools idempotency, and the scheduler and worker, which share the provider wiring in
 * runtime-providers.ts, must not bundle it.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { RuntimeConfig } from '../config/runtime.ts';
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
