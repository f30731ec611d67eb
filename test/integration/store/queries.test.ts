import { ulid } from 'ulid';
import * as z from 'zod';
import type { ProviderName } from '../../../lib/customer/snapshot.ts';
import { createDynamoClients } from '../../../lib/store/client.ts';
import {
  CustomerStore,
  type ImportedCustomer,
  StoreBatchIncompleteError,
  StoreCursorError,
} from '../../../lib/store/customer-store.ts';
import { DUE_WALK_CHUNK, DueLinkReader } from '../../../lib/store/due-links.ts';
import { linkItem, syncItem } from '../../../lib/store/items.ts';
import { dueIndexKeys, shardOf, slotOf, syncKey } from '../../../lib/store/keys.ts';
import { TABLE } from '../../../lib/store/table.ts';
import type { CustomerProfile, DueLink } from '../../../lib/store/types.ts';
import { createTestTable, type TestTable, testEndpoint } from '../../helpers/dynamodb.ts';
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

  it('reads the links of many sync targets in one batch read, in order', async () => {
    const synced = await linkedCustomer(store, { provider: 'mollie' });
    await store.writeSnapshot({
      customerId: synced.customerId,
      snapshot: makeSnapshot({ provider: 'mollie', providerCustomerId: synced.providerCustomerId }),
      now,
      nextDueAt: '2024-06-02T00:00:00.000Z',
    });
    const fresh = await linkedCustomer(store, { provider: 'juspay' });
    const pending = ulid();
    await store.createCustomer({ customerId: pending, input: makeInput(), providers: ['delos'], now });
    const targets = [
      { customerId: synced.customerId, provider: 'mollie' as const },
      { customerId: ulid(), provider: 'mollie' as const },
      { customerId: fresh.customerId, provider: 'juspay' as const },
      { customerId: fresh.customerId, provider: 'palomma' as const },
      { customerId: pending, provider: 'delos' as const },
      // Twice in one batch (a redelivery beside its original): read once, answered twice.
      { customerId: synced.customerId, provider: 'mollie' as const },
    ];
    const reader = instrumentedStore(table.tableName);
    try {
      const reads = await reader.store.getLinksForSync(targets);

      expect(reader.sent.map((command) => command.name)).toEqual(['BatchGetItemCommand']);
      const requested = z
        .object({ RequestItems: z.record(z.string(), z.object({ Keys: z.array(z.unknown()) })) })
        .parse(reader.sent[0]?.input);
      expect(Object.values(requested.RequestItems)[0]?.Keys).toHaveLength(10);
      expect(reads.map((read) => read && [read.link.provider, read.link.status, read.link.version])).toEqual([
        ['mollie', 'active', 1],
        null,
        ['juspay', 'active', 0],
        null,
        ['delos', 'pending', 0],
        ['mollie', 'active', 1],
      ]);
      expect(reads[0]?.link.snapshot?.providerCustomerId).toBe(synced.providerCustomerId);
      expect(reads[0]?.basis?.link.contentHash).toEqual(expect.any(String));
      expect(reads[0]?.syncState).toMatchObject({
        lastSuccessAt: now,
        nextDueAt: '2024-06-02T00:00:00.000Z',
        consecutiveFailures: 0,
      });
      expect(reads[4]?.link.providerCustomerId).toBeNull();
    } finally {
      reader.destroy();
    }
  });

  it('finds a link by provider customer id, and nothing for an unknown one', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store, { provider: 'juspay' });
    // Who holds it and its status: the index projects no snapshot.
    await expect(store.findByProviderId('juspay', providerCustomerId)).resolves.toEqual({
      customerId,
      provider: 'juspay',
      providerCustomerId,
      status: 'active',
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

describe('DueLinkReader.listDueLinks', () => {
  let table: TestTable;
  let store: CustomerStore;
  let dueLinks: DueLinkReader;
  const dueBy = '2024-06-10T00:00:00.000Z';
  const expected = new Map<string, { nextDueAt: string; status: DueLink['status'] }>();
  /** Links of the provider, or in its index partitions, that are not due by `dueBy`. */
  const notDue = new Set<string>();
  let pendingWithoutSync = '';
  beforeAll(async () => {
    table = await createTestTable('store-due');
    store = storeOn(table);
    dueLinks = new DueLinkReader({ doc: table.doc, tableName: table.tableName });
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
    notDue.add(add(2, '2024-06-10T00:00:00.001Z')); // due just after dueBy
    notDue.add(add(3, '2024-06-01T00:00:00.000Z', ['mollie'])); // another provider
    const gone = add(4, '2024-06-01T00:00:00.000Z');
    const backedOff = add(5, '2024-06-01T00:00:00.000Z');
    const resynced = add(6, '2024-06-01T00:00:00.000Z');
    await store.importCustomers(customers, now);
    await store.markGone({ customerId: gone, provider: 'palomma', now });
    // A failed sync backs off past dueBy; an unchanged re-sync moves the due time past it.
    await store.recordSyncFailure({
      customerId: backedOff,
      provider: 'palomma',
      error: { name: 'ProviderUnavailableError', message: 'HTTP 503' },
      now,
      nextDueAt: '2024-06-11T00:00:00.000Z',
    });
    await expect(
      store.writeSnapshot({
        customerId: resynced,
        snapshot: makeSnapshot({
          providerCustomerId: `palomma_${resynced}`,
          fetchedAt: '2024-06-08T00:00:00.000Z',
        }),
        now,
        nextDueAt: '2024-06-15T00:00:00.000Z',
      }),
    ).resolves.toMatchObject({ result: 'unchanged' });
    notDue.add(gone).add(backedOff).add(resynced);

    // A pending create is due too (the scheduler retries it), unless its last attempt backed off.
    const pending = ulid();
    const pendingBackedOff = ulid();
    for (const customerId of [pending, pendingBackedOff]) {
      await store.createCustomer({
        customerId,
        input: makeInput(),
        providers: ['palomma'],
        now: '2024-06-03T00:00:00Z',
      });
    }
    expected.set(pending, { nextDueAt: '2024-06-03T00:00:00.000Z', status: 'pending' });
    await store.recordSyncFailure({
      customerId: pendingBackedOff,
      provider: 'palomma',
      error: { name: 'ProviderUnavailableError', message: 'HTTP 503' },
      now,
      nextDueAt: '2024-06-12T00:00:00.000Z',
    });
    notDue.add(pendingBackedOff);
    // A pending link without a sync state is due whenever asked: its create must not be forgotten.
    pendingWithoutSync = ulid();
    await store.batchPut([
      linkItem({ customerId: pendingWithoutSync, provider: 'palomma', status: 'pending', linkedAt: now }),
    ]);
    expected.set(pendingWithoutSync, { nextDueAt: dueBy, status: 'pending' });
    // An index entry that is not a link (a sync state in the index's former shape) is not one.
    const stray = idInShard((id) => shardOf(id, TABLE.dueShards), 0);
    await store.batchPut([
      {
        ...syncKey(stray, 'palomma'),
        ...syncItem({ customerId: stray, provider: 'palomma', status: 'active', nextDueAt: now }),
        gsi4pk: dueIndexKeys(stray, 'palomma').gsi4pk,
        gsi4sk: `${now}#${stray}`,
      },
    ]);
    notDue.add(stray);
  });
  afterAll(async () => table.drop());

  async function listAll(target: DueLinkReader, args: { dueBy: string; limit: number; shards?: number[] }) {
    const pages: DueLink[][] = [];
    for await (const page of target.listDueLinks({ provider: 'palomma', ...args })) pages.push(page);
    return pages;
  }

  it('pages through exactly the due links of one provider, across all shards, never by a scan', async () => {
    const reader = instrumentedStore(table.tableName);
    let pages: DueLink[][] = [];
    try {
      pages = await listAll(reader.dueLinks, { dueBy, limit: 5 });
    } finally {
      reader.destroy();
    }

    expect(pages.every((page) => page.length > 0 && page.length <= 5)).toBe(true);
    const due = pages.flat();
    expect(
      new Map(due.map((link) => [link.customerId, { nextDueAt: link.nextDueAt, status: link.status }])),
    ).toEqual(expected);
    expect(due).toHaveLength(expected.size);
    expect(due.filter((link) => notDue.has(link.customerId))).toEqual([]);
    expect(due.every((link) => link.provider === 'palomma')).toBe(true);
    expect(due.find((link) => link.status === 'pending')?.providerCustomerId).toBeNull();
    expect(due.find((link) => link.status === 'active')?.providerCustomerId).toMatch(/^palomma_/);
    // Shard by shard, in slot order within a shard.
    const positions = due.map(
      (link) => [shardOf(link.customerId, TABLE.dueShards), slotOf(link.customerId)] as const,
    );
    const sorted = [...positions].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(positions).toEqual(sorted);
    expect(new Set(positions.map(([shard]) => shard)).size).toBe(TABLE.dueShards);

    // Index queries and batch reads of sync states, each bounded; nothing else.
    const { sent } = reader;
    expect(new Set(sent.map((command) => command.name))).toEqual(
      new Set(['QueryCommand', 'BatchGetItemCommand']),
    );
    for (const command of sent) {
      const input = BatchGetInputSchema.or(QueryInputSchema).parse(command.input);
      if ('IndexName' in input) {
        expect(input.IndexName).toBe(TABLE.indexes.dueForSync.name);
        // Whole chunks of the index per query (fewer, larger queries than pages).
        expect(input.Limit).toBe(DUE_WALK_CHUNK);
        continue;
      }
      const [request, ...others] = Object.values(input.RequestItems);
      expect(others).toEqual([]);
      expect(request?.Keys.length).toBeLessThanOrEqual(100);
      expect(request?.Keys.every((key) => key.sk === 'SYNC#palomma')).toBe(true);
      // Only the due time (and the key to match it by, and whether the index holds it by that time),
      // eventually consistent.
      expect(Object.values(request?.ExpressionAttributeNames ?? {}).sort()).toEqual([
        'gsi4sk',
        'nextDueAt',
        'pk',
      ]);
      expect(request?.ConsistentRead).not.toBe(true);
    }
  });

  it('walks the index chunk by chunk, pages ending inside chunks, each due link once and in order', async () => {
    const chunked = new DueLinkReader({ doc: table.doc, tableName: table.tableName, dueWalkChunk: 3 });
    const oneByOne = (await listAll(dueLinks, { dueBy, limit: 1 })).flat();
    const pages = await listAll(chunked, { dueBy, limit: 4 });
    expect(pages.slice(0, -1).every((page) => page.length === 4)).toBe(true);
    expect(pages.flat()).toEqual(oneByOne);
    expect(new Set(oneByOne.map((link) => link.customerId))).toEqual(new Set(expected.keys()));
  });

  it('walks only the given shards: shards [n] lists exactly the due links of shard n', async () => {
    const dueIn = (shards: number[]) =>
      new Set(
        [...expected.keys()].filter((customerId) => shards.includes(shardOf(customerId, TABLE.dueShards))),
      );
    for (let shard = 0; shard < TABLE.dueShards; shard++) {
      const pages: DueLink[][] = [];
      for await (const page of dueLinks.listDueLinks({
        provider: 'palomma',
        dueBy,
        limit: 2,
        shards: [shard],
      }))
        pages.push(page);
      const ids = pages.flat().map((link) => link.customerId);
      expect(ids.length).toBeGreaterThan(0);
      expect(new Set(ids).size).toBe(ids.length);
      expect(new Set(ids)).toEqual(dueIn([shard]));
    }
    // Several shards, in any order, each once; a shard out of range is refused.
    const several = (await listAll(dueLinks, { dueBy, limit: 2, shards: [5, 2, 5] })).flat();
    expect(several.map((link) => link.customerId).sort()).toEqual([...dueIn([2, 5])].sort());
    await expect(listAll(dueLinks, { dueBy, limit: 2, shards: [TABLE.dueShards] })).rejects.toBeInstanceOf(
      RangeError,
    );
  });

  it('lists everything due on one page when the limit allows', async () => {
    const pages = await listAll(dueLinks, { dueBy, limit: 1_000 });
    expect(pages).toHaveLength(1);
    expect(new Set(pages[0]?.map((link) => link.customerId))).toEqual(new Set(expected.keys()));
  });

  it('finds nothing due before the earliest due time but a pending create without a sync state', async () => {
    const pages = await listAll(dueLinks, { dueBy: '2024-05-01T00:00:00Z', limit: 5 });
    expect(pages.flat().map((link) => [link.customerId, link.nextDueAt])).toEqual([
      [pendingWithoutSync, '2024-05-01T00:00:00.000Z'],
    ]);
  });

  it('retries the sync states DynamoDB leaves unprocessed, and gives up loudly when it never reads them', async () => {
    const partial = storeWithUnprocessedKeys(table.tableName, 3);
    const stuck = storeWithUnprocessedKeys(table.tableName, Number.POSITIVE_INFINITY, 'all');
    try {
      const due = (await listAll(partial.dueLinks, { dueBy, limit: 100 })).flat();
      expect(new Set(due.map((link) => link.customerId))).toEqual(new Set(expected.keys()));
      expect(due).toHaveLength(expected.size);
      expect(partial.calls.unprocessed).toBe(3);

      await expect(listAll(stuck.dueLinks, { dueBy, limit: 100 })).rejects.toBeInstanceOf(
        StoreBatchIncompleteError,
      );
      // Every attempt the store allows (8), then it stops instead of listing a link as not due.
      expect(stuck.calls.unprocessed).toBe(8);
    } finally {
      partial.destroy();
      stuck.destroy();
    }
  });
});

const QueryInputSchema = z.object({ IndexName: z.string(), Limit: z.number() });
const BatchGetInputSchema = z.object({
  RequestItems: z.record(
    z.string(),
    z.object({
      Keys: z.array(z.object({ pk: z.string(), sk: z.string() })),
      ExpressionAttributeNames: z.record(z.string(), z.string()).optional(),
      ConsistentRead: z.boolean().optional(),
    }),
  ),
});
const BatchGetRequestItems = z.record(
  z.string(),
  z.looseObject({ Keys: z.array(z.record(z.string(), z.unknown())) }),
);

/**
 * A store whose first `times` BatchGetItem calls read only the first half of their keys and hand the
 * rest back as UnprocessedKeys, the way DynamoDB answers when throttled or over its response size. With
 * `all`, every key comes back unprocessed (and nothing read), as under sustained throttling.
 */
function storeWithUnprocessedKeys(tableName: string, times: number, unprocessed: 'half' | 'all' = 'half') {
  const { client, doc } = createDynamoClients({ region: 'us-east-1', endpoint: testEndpoint() });
  const calls = { unprocessed: 0 };
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchGetItemCommand' || calls.unprocessed >= times) return next(args);
      const input = z.looseObject({ RequestItems: BatchGetRequestItems }).parse(args.input);
      const [entry] = Object.entries(input.RequestItems);
      if (!entry || (unprocessed === 'half' && entry[1].Keys.length < 2)) return next(args);
      calls.unprocessed++;
      const [name, request] = entry;
      const half = unprocessed === 'all' ? 0 : Math.floor(request.Keys.length / 2);
      const result = await next(
        unprocessed === 'all'
          ? args
          : {
              ...args,
              input: {
                ...input,
                RequestItems: { [name]: { ...request, Keys: request.Keys.slice(0, half) } },
              },
            },
      );
      Object.assign(result.output, {
        ...(unprocessed === 'all' ? { Responses: { [name]: [] } } : {}),
        UnprocessedKeys: { [name]: { ...request, Keys: request.Keys.slice(half) } },
      });
      return result;
    },
    { step: 'initialize', name: 'partialBatchGets' },
  );
  const dueLinks = new DueLinkReader({ doc, tableName, sleep: () => Promise.resolve() });
  return { dueLinks, calls, destroy: () => client.destroy() };
}

describe('DueLinkReader.listDueLinks over many links not due', () => {
  let table: TestTable;
  let store: CustomerStore;
  let due = '';
  beforeAll(async () => {
    table = await createTestTable('store-due-pages');
    store = storeOn(table);
    // 1,200 links not due for a year in the first shards, then one due link in the last shard.
    const link = (customerId: string, nextDueAt: string) => [
      linkItem({
        customerId,
        provider: 'delos',
        status: 'active',
        linkedAt: now,
        providerCustomerId: `del_${customerId}`,
      }),
      syncItem({
        customerId,
        provider: 'delos',
        status: 'active',
        nextDueAt,
        providerCustomerId: `del_${customerId}`,
      }),
    ];
    const later = Array.from({ length: 1_200 }, (_, i) =>
      idInShard((id) => shardOf(id, TABLE.dueShards), i % (TABLE.dueShards - 1)),
    );
    due = idInShard((id) => shardOf(id, TABLE.dueShards), TABLE.dueShards - 1);
    await store.batchPut(
      [...later.flatMap((customerId) => link(customerId, '2025-06-01T00:00:00.000Z')), ...link(due, now)],
      { concurrency: 8 },
    );
  });
  afterAll(async () => table.drop());

  it('walks past links not due, across shards, to the one that is', async () => {
    const pages: DueLink[][] = [];
    const dueLinks = new DueLinkReader({ doc: table.doc, tableName: table.tableName, dueWalkChunk: 100 });
    for await (const page of dueLinks.listDueLinks({ provider: 'delos', dueBy: now, limit: 1 }))
      pages.push(page);
    expect(pages.map((page) => page.map((link) => [link.customerId, link.nextDueAt]))).toEqual([
      [[due, now]],
    ]);
  });
});
