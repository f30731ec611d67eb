/**
 * The idempotency table: Powertools idempotency records of POST /customers and the webhook event-id
 * markers (`WEBHOOK#<provider>#<eventId>`) share it. Both expire through the TTL attribute, so nothing
 * here needs cleaning up. Infra, the local runtime and the tests all build it from this definition.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';

export const IDEMPOTENCY_TABLE = {
  /** String partition key; Powertools' DynamoDBPersistenceLayer default (`keyAttr`). */
  partitionKey: 'id',
  /** Epoch seconds; Powertools' default `expiryAttr`, and the table's TTL attribute. */
  ttlAttribute: 'expiration',
} as const;

export function createIdempotencyTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: IDEMPOTENCY_TABLE.partitionKey, KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: IDEMPOTENCY_TABLE.partitionKey, AttributeType: 'S' }],
  };
}

/**
 * Creates the table on DynamoDB Local (local runtime, tests); a no-op if it exists. TTL is not
 * enabled here: DynamoDB Local never deletes expired items anyway, and readers of both record kinds
 * compare `expiration` with the clock themselves.
 */
export async function ensureIdempotencyTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<'created' | 'exists'> {
  try {
    await client.send(new CreateTableCommand(createIdempotencyTableInput(tableName)));
    return 'created';
  } catch (error) {
    if (error instanceof ResourceInUseException) return 'exists';
    throw error;
  }
}
