import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type { ProviderName } from '../../../lib/customer/snapshot.ts';
import { CustomerStore } from '../../../lib/store/customer-store.ts';
import { dueIndexKeys, linkKey } from '../../../lib/store/keys.ts';
import { type IndexDefinition, TABLE } from '../../../lib/store/table.ts';
import { createTestTable, type TestTable } from '../../helpers/dynamodb.ts';
import { linkedCustomer, makeInput, makeSnapshot, RETENTION_DAYS, rawItem } from './store-fixtures.ts';

describe('CustomerStore due index', () => {
  let table: TestTable;
  let store: CustomerStore;
  beforeAll(async () => {
    table = await createTestTable('store-due-index');
    store = new CustomerStore({
      doc: table.doc,
      tableName: table.tableName,
      historyRetentionDays: RETENTION_DAYS,
    });
  });
  afterAll(async () => table.drop());

  const now = '2024-06-01T00:00:00.000Z';

  /** The customer's entry in the due index, as the index itself holds it (null when not indexed). */
  async function dueEntry(customerId: string, provider: ProviderName = 'palomma') {
    const index = TABLE.indexes.dueForSync;
    const keys = dueIndexKeys(customerId, provider);
    const { Items = [] } = await table.doc.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk AND #sk = :sk',
        ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
        ExpressionAttributeValues: { ':pk': keys.gsi4pk, ':sk': keys.gsi4sk },
      }),
    );
    expect(Items.length).toBeLessThanOrEqual(1);
    return Items[0] ?? null;
  }

  it("projects only what the link indexes' readers use, nothing a snapshot write or a re-sync changes", async () => {
    const { Table } = await table.client.send(new DescribeTableCommand({ TableName: table.tableName }));
    const projections = Object.fromEntries(
      (Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.Projection]),
    );

    const linkIndexes: readonly IndexDefinition[] = [TABLE.indexes.dueForSync, TABLE.indexes.byProviderId];
    for (const index of linkIndexes) {
      expect(projections[index.name]).toEqual({
        ProjectionType: 'INCLUDE',
        NonKeyAttributes: ['customerId', 'provider', 'providerCustomerId', 'status'],
      });
    }
    const others = Object.values(TABLE.indexes).filter((index) => !linkIndexes.includes(index));
    for (const index of others) expect(projections[index.name]).toEqual({ ProjectionType: 'ALL' });
  });

  it('indexes a pending link under fixed keys, and keeps them through completion and changes', async () => {
    const customerId = ulid();
    await store.createCustomer({ customerId, input: makeInput(), providers: ['palomma'], now });
    expect(await dueEntry(customerId)).toEqual({
      pk: `CUSTOMER#${customerId}`,
      sk: 'PROVIDER#palomma',
      ...dueIndexKeys(customerId, 'palomma'),
      customerId,
      provider: 'palomma',
      status: 'pending',
    });

    const providerCustomerId = `pal_${customerId}`;
    await store.completePendingLink({
      customerId,
      snapshot: makeSnapshot({ providerCustomerId }),
      now,
      nextDueAt: now,
    });
    const active = await dueEntry(customerId);
    expect(active).toMatchObject({ status: 'active', providerCustomerId });

    await store.writeSnapshot({
      customerId,
      snapshot: makeSnapshot({
        providerCustomerId,
        givenName: 'Changed',
        providerUpdatedAt: '2024-07-01T00:00:00Z',
      }),
      now,
      nextDueAt: '2024-07-02T00:00:00.000Z',
    });
    expect(await dueEntry(customerId)).toEqual(active);
    // What changes on every sync is not on the link, and nothing of the snapshot reaches the index.
    expect(Object.keys(active ?? {}).sort()).toEqual(
      ['pk', 'sk', 'gsi4pk', 'gsi4sk', 'customerId', 'provider', 'providerCustomerId', 'status'].sort(),
    );
  });

  it('indexes links made by linkProvider and by bulk import', async () => {
    const linked = await linkedCustomer(store, { provider: 'mollie' });
    expect(await dueEntry(linked.customerId, 'mollie')).toMatchObject({
      status: 'active',
      providerCustomerId: linked.providerCustomerId,
    });

    const imported = ulid();
    await store.importCustomers(
      [
        {
          customerId: imported,
          input: makeInput(),
          snapshots: [makeSnapshot({ provider: 'juspay', providerCustomerId: `jus_${imported}` })],
          nextDueAt: now,
        },
      ],
      now,
    );
    expect(await dueEntry(imported, 'juspay')).toMatchObject({ status: 'active', customerId: imported });
  });

  it('drops a gone link from the index and puts it back under the same keys when it returns', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    const snapshot = makeSnapshot({ providerCustomerId, fetchedAt: '2024-06-02T00:00:00.000Z' });
    await store.writeSnapshot({ customerId, snapshot, now, nextDueAt: now });
    const before = await dueEntry(customerId);

    await store.markGone({ customerId, provider: 'palomma', now: '2024-06-03T00:00:00.000Z' });
    expect(await dueEntry(customerId)).toBeNull();
    const gone = await rawItem(table.doc, table.tableName, linkKey(customerId, 'palomma'));
    expect(gone).not.toHaveProperty('gsi4pk');
    expect(gone).not.toHaveProperty('gsi4sk');

    // Back unchanged (only the sync state and the link's status are written) ...
    await store.writeSnapshot({
      customerId,
      snapshot: { ...snapshot, fetchedAt: '2024-06-04T00:00:00.000Z' },
      now,
      nextDueAt: now,
    });
    expect(await dueEntry(customerId)).toEqual(before);

    // ... or back changed (in the change transaction).
    await store.markGone({ customerId, provider: 'palomma', now: '2024-06-05T00:00:00.000Z' });
    expect(await dueEntry(customerId)).toBeNull();
    await store.writeSnapshot({
      customerId,
      snapshot: makeSnapshot({
        providerCustomerId,
        givenName: 'Back',
        providerUpdatedAt: '2024-06-06T00:00:00.000Z',
        fetchedAt: '2024-06-06T00:00:00.000Z',
      }),
      now,
      nextDueAt: now,
    });
    expect(await dueEntry(customerId)).toEqual(before);
  });
});
