/**
 * The one definition of the customers table: keys, indexes (with their projections) and TTL attribute.
 * The store, the local runtime, the tests and the CDK stack all build the table from this, so the table
 * a test writes to is the table that is deployed.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * What an index copies from the table. `ALL` where the reader needs whole items; `INCLUDE` where the
 * index must stay cheap to maintain: DynamoDB writes an index only when a write changes its keys or a
 * projected attribute, so an index projecting only stable attributes costs nothing on other writes.
 */
export type IndexProjection =
  | { readonly type: 'ALL' }
  | { readonly type: 'INCLUDE'; readonly attributes: readonly string[] };

export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly projection: IndexProjection;
}

const ALL: IndexProjection = { type: 'ALL' };

/**
 * What the link indexes copy of a link: who holds it and its state. No snapshot write or re-sync changes
 * these, so neither writes those indexes (projecting the whole link would rewrite its index copy, about
 * as many write units as the link itself, on every change of snapshot).
 */
const LINK_REF: IndexProjection = {
  type: 'INCLUDE',
  attributes: ['customerId', 'provider', 'providerCustomerId', 'status'],
};

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; set on history items only. */
  ttlAttribute: 'expiresAt',
  indexes: {
    /**
     * Link items by provider customer id: `PROVIDERID#<provider>#<providerCustomerId>`. Webhooks, dedupe,
     * the read API's lookup: they need the holder and its status, never the snapshot.
     */
    byProviderId: { name: 'byProviderId', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: LINK_REF },
    /** Profile items by merchant reference: `REF#<reference>`. */
    byReference: { name: 'byReference', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: ALL },
    /** Profile items by lower-cased email: `EMAIL#<email>`. */
    byEmail: { name: 'byEmail', partitionKey: 'gsi3pk', sortKey: 'gsi3sk', projection: ALL },
    /**
     * What the scheduler looks at, under `DUE#<provider>#<shard>`: link items (active and pending; gone
     * ones leave it) by slot then customer id, and sync states whose due time is off the link's slot
     * (new, pending, failing) by due time (keys.ts). A link's keys and projection never change on a
     * snapshot write or a re-sync, so neither writes this index; the due time lives on the sync state.
     */
    dueForSync: { name: 'dueForSync', partitionKey: 'gsi4pk', sortKey: 'gsi4sk', projection: LINK_REF },
    /** Profile items for listing all customers: `CUSTOMERS#<shard>` by customer id (ULID, so by time). */
    allCustomers: { name: 'allCustomers', partitionKey: 'gsi5pk', sortKey: 'gsi5sk', projection: ALL },
  },
  /** Shards spread the due-for-sync and list indexes so no index partition runs hot. */
  dueShards: 8,
  listShards: 4,
} as const satisfies {
  partitionKey: string;
  sortKey: string;
  ttlAttribute: string;
  indexes: Record<string, IndexDefinition>;
  dueShards: number;
  listShards: number;
};

export type IndexName = keyof typeof TABLE.indexes;

/** An index's projection as both CreateTable and CloudFormation (`AWS::DynamoDB::Table`) spell it. */
export function indexProjection(index: IndexDefinition): {
  ProjectionType: 'ALL' | 'INCLUDE';
  NonKeyAttributes?: string[];
} {
  return index.projection.type === 'ALL'
    ? { ProjectionType: 'ALL' }
    : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection.attributes] };
}

/** The CreateTable input for DynamoDB Local and tests (infra/constructs/data.ts builds the same table). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const indexes: IndexDefinition[] = Object.values(TABLE.indexes);
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
      Projection: indexProjection(index),
    })),
  };
}

/** The key attributes of an index's items: the table's key and the index's own. */
export function indexKeyAttributes(index: { partitionKey: string; sortKey: string }): string[] {
  return [TABLE.partitionKey, TABLE.sortKey, index.partitionKey, index.sortKey];
}
