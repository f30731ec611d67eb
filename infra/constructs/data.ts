/**
 * The stateful core: the customers table (built from the one definition in lib/store/table.ts), the
 * idempotency table (lib/store/idempotency-table.ts) and the customer-managed key that encrypts both.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { IDEMPOTENCY_TABLE } from '../../lib/store/idempotency-table.ts';
import { type IndexDefinition, TABLE } from '../../lib/store/table.ts';
import type { StageConfig } from '../stages.ts';

export class DataStore extends Construct {
  readonly key: Key;
  readonly table: Table;
  readonly idempotencyTable: Table;

  constructor(scope: Construct, id: string, props: { stage: StageConfig }) {
    super(scope, id);
    const retain = props.stage.removalPolicy === 'retain';
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new Key(this, 'TableKey', {
      description: `customer-sync ${props.stage.name}: encrypts the customers and idempotency tables`,
      enableKeyRotation: true,
      removalPolicy,
    });

    this.table = new Table(this, 'Customers', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      timeToLiveAttribute: TABLE.ttlAttribute,
      deletionProtection: retain,
      removalPolicy,
    });
    const indexes: IndexDefinition[] = Object.values(TABLE.indexes);
    for (const index of indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        // The same projection as the local and test tables: it decides what the index costs to keep.
        ...(index.projection.type === 'ALL'
          ? { projectionType: ProjectionType.ALL }
          : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection.attributes] }),
      });
    }

    this.idempotencyTable = new Table(this, 'Idempotency', {
      partitionKey: { name: IDEMPOTENCY_TABLE.partitionKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      timeToLiveAttribute: IDEMPOTENCY_TABLE.ttlAttribute,
      deletionProtection: retain,
      removalPolicy,
    });
  }
}
