import { ulid } from 'ulid';
import type { ProviderName } from '../../../lib/customer/snapshot.ts';
import { CustomerStore, type ImportedCustomer, StoreCursorError } from '../../../lib/store/customer-store.ts';
import { shardOf } from '../../../lib/store/keys.ts';
import { TABLE } from '../../../lib/store/table.ts';
import type { CustomerProfile, DueLink } from '../../../lib/store/types.ts';
import { createTestTable, type TestTable } from '../../helpers/dynamodb.ts';
import {
  idInShard,
  instrumentedStore,
  linkedCustomer,
  makeInput,
  makeSnapshot,
  RETENTION_DAYS,
} from './store-fixtures.ts';

const now = '2024-06-01T00:00:00.000Z';

function storeOn(table: TestTable) {
  return new CustomerStore({
    doc: table.doc,
    tableName: table.tableName,
    historyRetentionDays: RETENTION_DAYS,
  });
}

describe('CustomerStore lookups', () => {
  let table: TestTable;
  let store: CustomerStore;
  beforeAll(async () => {
    table = await createTestTable('store-lookups');
    store = storeOn(table);
  });
  afterAll(async () => table.drop());

  it('reads profile, links, latest snapshots and sync states in one query that skips history', async () => {
    const customerId = ulid();
    await store.createCustomer({ customerId, input: makeInput(), providers: ['mollie'], now });
    await store.linkProvider({
      customerId,
      provider: 'palomma',
      providerCustomerId: `pal_${customerId}`,
      now,
    });
    for (const hour of [1, 2, 3]) {
      await store.writeSnapshot({
        customerId,
        snapshot: makeSnapshot({
          providerCustomerId: `pal_${customerId}`,
          providerUpdatedAt: `2024-06-01T0${hour}:00:00.000Z`,
        }),
        now,
        nextDueAt: now,
      });
    }
    const reader = instrumentedStore(table.tableName);
    try {
      const record = await reader.store.getCustomer(customerId);

      expect(reader.sent.map((command) => command.name)).toEqual(['QueryCommand']);
      expect(reader.sent[0]?.output.ScannedCount).toBe(5);
      expect(record?.links.map((link) => [link.provider, link.status, link.version])).toEqual([
        ['mollie', 'pending', 0],
        ['palomma', 'active', 3],
      ]);
      expect(record?.links[1]?.snapshot?.providerUpdatedAt).toBe('2024-06-01T03:00:00.000Z');
      expect(record?.syncStates.map((sync) => sync.provider)).toEqual(['mollie', 'palomma']);
    } finally {
      reader.destroy();
    }
  });

  it('answers null for a customer that does not exist', async () => {
    await expect(store.getCustomer(ulid())).resolves.toBeNull();
  });

  it('finds a link by provider customer id, and nothing for an unknown one', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store, { provider: 'juspay' });
    await expect(store.findByProviderId('juspay', providerCustomerId)).resolves.toMatchObject({
      customerId,
      provider: 'juspay',
      providerCustomerId,
    });
    await expect(store.findByProviderId('delos', providerCustomerId)).resolves.toBeNull();
  });

  it('finds a profile by merchant reference', async () => {
    const customerId = ulid();
    const input = makeInput();
    await store.createCustomer({ customerId, input, providers: [], now });
    await expect(store.findByReference(input.reference)).resolves.toMatchObject({ customerId, input });
    await expect(store.findByReference(`${input.reference}-nope`)).resolves.toBeNull();
  });

  it('finds every profile with an email, whatever its case', async () => {
    const tag = ulid().toLowerCase();
    const ids = [ulid(), ulid()];
    await store.createCustomer({
      customerId: ids[0] ?? '',
      input: makeInput({ email: `Ana.${tag}@Example.com` }),
      providers: [],
      now,
    });
    await store.createCustomer({
      customerId: ids[1] ?? '',
      input: makeInput({ email: `ana.${tag}@example.com` }),
      providers: [],
      now,
    });
    await store.createCustomer({
      customerId: ulid(),
      input: makeInput({ email: `bob.${tag}@example.com` }),
      providers: [],
      now,
    });

    const found = await store.findByEmail(`ANA.${tag}@EXAMPLE.COM`);
    expect(found.map((profile) => profile.customerId).sort()).toEqual([...ids].sort());
  });

  it('pages history newest first with a cursor, ending with a null cursor', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    for (const day of [1, 2, 3, 4, 5]) {
      await store.writeSnapshot({
        customerId,
        snapshot: makeSnapshot({ providerCustomerId, providerUpdatedAt: `2024-07-0${day}T00:00:00.000Z` }),
        now: `2024-07-0${day}T00:00:01.000Z`,
        nextDueAt: now,
      });
    }
    const pages: number[][] = [];
    let cursor: string | null = null;
    do {
      const page = await store.getHistory({
        customerId,
        provider: 'palomma',
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      pages.push(page.items.map((entry) => entry.version));
      cursor = page.cursor;
    } while (cursor);

    expect(pages).toEqual([[5, 4], [3, 2], [1]]);
    const newest = await store.getHistory({ customerId, provider: 'palomma', limit: 1 });
    expect(newest.items[0]).toMatchObject({ recordedAt: '2024-07-05T00:00:01.000Z', version: 5 });
    await expect(store.getHistory({ customerId, provider: 'delos', limit: 5 })).resolves.toEqual({
      items: [],
      cursor: null,
    });
  });

  it('refuses cursors it did not issue for the query', async () => {
    const a = await linkedCustomer(store);
    const b = await linkedCustomer(store);
    for (const target of [a, b]) {
      for (const day of [1, 2]) {
        await store.writeSnapshot({
          customerId: target.customerId,
          snapshot: makeSnapshot({
            providerCustomerId: target.providerCustomerId,
            providerUpdatedAt: `2024-07-0${day}T00:00:00.000Z`,
          }),
          now,
          nextDueAt: now,
        });
      }
    }
    const page = await store.getHistory({ customerId: a.customerId, provider: 'palomma', limit: 1 });
    expect(page.cursor).not.toBeNull();

    const misuse = [
      store.getHistory({
        customerId: b.customerId,
        provider: 'palomma',
        limit: 1,
        cursor: page.cursor ?? '',
      }),
      store.getHistory({ customerId: a.customerId, provider: 'palomma', limit: 1, cursor: 'not-a-cursor' }),
      store.listCustomers({ limit: 1, cursor: page.cursor ?? '' }),
      store.listCustomers({ limit: 1, cursor: Buffer.from('{"s":99,"k":null}').toString('base64url') }),
    ];
    for (const attempt of misuse) await expect(attempt).rejects.toBeInstanceOf(StoreCursorError);
  });
});

describe('CustomerStore.listCustomers', () => {
  let table: TestTable;
  let store: CustomerStore;
  const created: string[] = [];
  beforeAll(async () => {
    table = await createTestTable('store-list');
    store = storeOn(table);
    // Three customers in every list shard, and two more in shard 1.
    for (const shard of [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 1, 1]) {
      const customerId = idInShard((id) => shardOf(id, TABLE.listShards), shard);
      await store.createCustomer({ customerId, input: makeInput(), providers: [], now });
      created.push(customerId);
    }
  });
  afterAll(async () => table.drop());

  it('pages through every customer across all shards, each once, in shard then id order', async () => {
    const pages: CustomerProfile[][] = [];
    let cursor: string | null = null;
    do {
      const page = await store.listCustomers({ limit: 4, ...(cursor ? { cursor } : {}) });
      pages.push(page.items);
      cursor = page.cursor;
    } while (cursor);

    expect(pages.map((page) => page.length)).toEqual([4, 4, 4, 2]);
    const listed = pages.flat().map((profile) => profile.customerId);
    const byShardThenId = [...created].sort((a, b) => {
      const shards = shardOf(a, TABLE.listShards) - shardOf(b, TABLE.listShards);
      return shards !== 0 ? shards : a.localeCompare(b);
    });
    expect(listed).toEqual(byShardThenId);
  });

  it('returns everything on one page when the limit allows', async () => {
    const page = await store.listCustomers({ limit: 100 });
    expect(page.items).toHaveLength(created.length);
    expect(page.cursor).toBeNull();
  });
});

describe('CustomerStore.listDueLinks', () => {
  let table: TestTable;
  let store: CustomerStore;
  const dueBy = '2024-06-10T00:00:00.000Z';
  const expected = new Map<string, { nextDueAt: string; status: DueLink['status'] }>();
  beforeAll(async () => {
    table = await createTestTable('store-due');
    store = storeOn(table);
    const customers: ImportedCustomer[] = [];
    const add = (shard: number, nextDueAt: string, providers: ProviderName[] = ['palomma']) => {
      const customerId = idInShard((id) => shardOf(id, TABLE.dueShards), shard);
      customers.push({
        customerId,
        input: makeInput(),
        nextDueAt,
        snapshots: providers.map((provider) =>
          makeSnapshot({ provider, providerCustomerId: `${provider}_${customerId}` }),
        ),
      });
      return customerId;
    };
    // Every due shard holds due palomma links, at several times.
    for (let shard = 0; shard < TABLE.dueShards; shard++) {
      for (const day of [shard % 3 === 0 ? 9 : 1, 5, 10]) {
        const nextDueAt = `2024-06-${String(day).padStart(2, '0')}T00:00:00.000Z`;
        const customerId = add(shard, nextDueAt);
        expected.set(customerId, { nextDueAt, status: 'active' });
      }
    }
    add(2, '2024-06-10T00:00:00.001Z'); // due just after dueBy
    add(3, '2024-06-01T00:00:00.000Z', ['mollie']); // another provider
    const gone = add(4, '2024-06-01T00:00:00.000Z');
    await store.importCustomers(customers, now);
    await store.markGone({ customerId: gone, provider: 'palomma', now });
    // A pending create is due too: the scheduler retries it.
    const pending = ulid();
    await store.createCustomer({
      customerId: pending,
      input: makeInput(),
      providers: ['palomma'],
      now: '2024-06-03T00:00:00Z',
    });
    expected.set(pending, { nextDueAt: '2024-06-03T00:00:00.000Z', status: 'pending' });
  });
  afterAll(async () => table.drop());

  it('pages through the due links of one provider across all shards by index query, never a scan', async () => {
    const reader = instrumentedStore(table.tableName);
    const pages: DueLink[][] = [];
    try {
      for await (const page of reader.store.listDueLinks({ provider: 'palomma', dueBy, limit: 5 }))
        pages.push(page);
    } finally {
      reader.destroy();
    }

    expect(pages.every((page) => page.length > 0 && page.length <= 5)).toBe(true);
    const due = pages.flat();
    expect(
      new Map(due.map((link) => [link.customerId, { nextDueAt: link.nextDueAt, status: link.status }])),
    ).toEqual(expected);
    expect(due).toHaveLength(expected.size);
    expect(due.every((link) => link.provider === 'palomma')).toBe(true);
    expect(due.find((link) => link.status === 'pending')?.providerCustomerId).toBeNull();
    expect(due.find((link) => link.status === 'active')?.providerCustomerId).toMatch(/^palomma_/);
    // Shard by shard, most overdue first within a shard.
    const positions = due.map((link) => [shardOf(link.customerId, TABLE.dueShards), link.nextDueAt] as const);
    const sorted = [...positions].sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
    expect(positions).toEqual(sorted);
    expect(new Set(positions.map(([shard]) => shard)).size).toBe(TABLE.dueShards);
    expect(reader.sent.map((command) => command.name)).not.toContain('ScanCommand');
    expect(reader.sent.every((command) => command.input.IndexName === TABLE.indexes.dueForSync.name)).toBe(
      true,
    );
  });

  it('resumes from a page cursor', async () => {
    const first = await store.listDueLinksPage({ provider: 'palomma', dueBy, limit: 7 });
    expect(first.items).toHaveLength(7);
    const rest: DueLink[] = [];
    for await (const page of store.listDueLinks({
      provider: 'palomma',
      dueBy,
      limit: 7,
      cursor: first.cursor ?? '',
    })) {
      rest.push(...page);
    }
    const all = [...first.items, ...rest].map((link) => link.customerId);
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all)).toEqual(new Set(expected.keys()));
  });

  it('finds nothing due before the earliest due time', async () => {
    const pages = [];
    for await (const page of store.listDueLinks({
      provider: 'palomma',
      dueBy: '2024-05-01T00:00:00Z',
      limit: 5,
    })) {
      pages.push(page);
    }
    expect(pages).toEqual([]);
  });
});
