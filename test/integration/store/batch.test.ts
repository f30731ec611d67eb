import { ulid } from 'ulid';
import * as z from 'zod';
import { createDynamoClients } from '../../../lib/store/client.ts';
import { CustomerStore, StoreBatchIncompleteError } from '../../../lib/store/customer-store.ts';
import { createTestTable, type TestTable, testEndpoint } from '../../helpers/dynamodb.ts';
import { makeInput, makeSnapshot, RETENTION_DAYS } from './store-fixtures.ts';

const BatchWriteInput = z.object({ RequestItems: z.record(z.string(), z.array(z.unknown())) });

/**
 * A store whose first `partialResponses` BatchWriteItem calls write only half their items and hand the
 * rest back as UnprocessedItems, the way DynamoDB answers when a partition is throttled. With `all`, every
 * item is reported unprocessed (though written), as under sustained throttling.
 */
function storeWithUnprocessedItems(
  tableName: string,
  partialResponses: number,
  unprocessed: 'half' | 'all' = 'half',
) {
  const { client, doc } = createDynamoClients({ region: 'us-east-1', endpoint: testEndpoint() });
  const calls = { batchWrites: 0, partial: 0 };
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      calls.batchWrites++;
      if (calls.partial >= partialResponses) return next(args);
      calls.partial++;
      const [entry] = Object.entries(BatchWriteInput.parse(args.input).RequestItems);
      if (!entry) return next(args);
      const [table, requests] = entry;
      const kept = unprocessed === 'all' ? requests : requests.slice(0, Math.ceil(requests.length / 2));
      const result = await next({
        ...args,
        input: Object.assign({}, args.input, { RequestItems: { [table]: kept } }),
      });
      const left = unprocessed === 'all' ? requests : requests.slice(kept.length);
      Object.assign(result.output, { UnprocessedItems: { [table]: left } });
      return result;
    },
    { step: 'initialize', name: 'partialBatchWrites' },
  );
  const store = new CustomerStore({
    doc,
    tableName,
    historyRetentionDays: RETENTION_DAYS,
    sleep: () => Promise.resolve(),
  });
  return { store, calls, destroy: () => client.destroy() };
}

describe('CustomerStore batch writes', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await createTestTable('store-batch');
  });
  afterAll(async () => table.drop());

  const now = '2024-06-01T00:00:00.000Z';
  const customers = (count: number) =>
    Array.from({ length: count }, () => {
      const customerId = ulid();
      return {
        customerId,
        input: makeInput(),
        nextDueAt: now,
        snapshots: [makeSnapshot({ providerCustomerId: `pal_${customerId}` })],
      };
    });

  it('imports more than 25 items, retrying the items DynamoDB left unprocessed', async () => {
    const batch = customers(12); // 5 items each: 60 items, 3 batches of 25
    const { store, calls, destroy } = storeWithUnprocessedItems(table.tableName, 3);
    try {
      await store.importCustomers(batch, now);
    } finally {
      destroy();
    }

    expect(calls.partial).toBe(3);
    expect(calls.batchWrites).toBeGreaterThan(3);
    const reader = new CustomerStore({ doc: table.doc, tableName: table.tableName, historyRetentionDays: 1 });
    for (const { customerId, input, snapshots } of batch) {
      const record = await reader.getCustomer(customerId);
      expect(record?.profile.input).toEqual(input);
      expect(record?.links[0]).toMatchObject({ status: 'active', version: 1, snapshot: snapshots[0] });
      expect(record?.syncStates[0]?.nextDueAt).toBe(now);
      const history = await reader.getHistory({ customerId, provider: 'palomma', limit: 5 });
      expect(history.items.map((entry) => entry.version)).toEqual([1]);
      await expect(reader.findByReference(input.reference)).resolves.toMatchObject({ customerId });
    }
    // Imported links keep the write rules: the same content again is unchanged.
    const [first] = batch;
    if (!first?.snapshots[0]) throw new Error('no customer');
    await expect(
      reader.writeSnapshot({
        customerId: first.customerId,
        snapshot: { ...first.snapshots[0], fetchedAt: '2024-06-05T00:00:00.000Z' },
        now,
        nextDueAt: now,
      }),
    ).resolves.toEqual({ result: 'unchanged', version: 1 });
  });

  it('fails loudly when items stay unprocessed after every attempt', async () => {
    const { store, destroy } = storeWithUnprocessedItems(table.tableName, Number.POSITIVE_INFINITY, 'all');
    try {
      const attempt = store.importCustomers(customers(1), now, { maxAttempts: 3 });
      await expect(attempt).rejects.toBeInstanceOf(StoreBatchIncompleteError);
      await expect(attempt).rejects.toMatchObject({ unprocessed: 5 });
    } finally {
      destroy();
    }
  });
});
