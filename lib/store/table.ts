/**
 * The one definition of the customers table: keys, indexes and TTL attribute. The store, the local
 * runtime, the tests and the CDK stack all build the table from this, so the table a test writes to is
 * the table that is deployed.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; set on history items only. */
  ttlAttribute: 'expiresAt',
  indexes: {
    /** Link items by provider customer id: `PROVIDERID#<provider>#<providerCustomerId>`. Webhooks, dedupe. */
    byProviderId: { name: 'byProviderId', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** Profile items by merchant reference: `REF#<reference>`. */
    byReference: { name: 'byReference', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    /** Profile items by lower-cased email: `EMAIL#<email>`. */
    byEmail: { name: 'byEmail', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    /** Sync-state items due for sync: `DUE#<provider>#<shard>` by next-due ISO time. */
    dueForSync: { name: 'dueForSync', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
    /** Profile items for listing all customers: `CUSTOMERS#<shard>` by customer id (ULID, so by time). */
    allCustomers: { name: 'allCustomers', partitionKey: 'gsi5pk', sortKey: 'gsi5sk' },
  },
  /** Shards spread the due-for-sync and list indexes so no index partition runs hot. */
  dueShards: 8,
  listShards: 4,
} as const;

export type IndexName = keyof typeof TABLE.indexes;

/** The CreateTable input for DynamoDB Local and tests (CDK builds the same shape in infra/). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const indexes = Object.values(TABLE.indexes);
  const keyAttributes = [
    TABLE.partitionKey,
    TABLE.sortKey,
    ...indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    AttributeDefinitions: keyAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    GlobalSecondaryIndexes: indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
