/**
 * Many writers of one link at once. "One history item per distinct change" means, for this store:
 * history versions run 1..N without gaps or duplicates and N is the link's version; each item is newer
 * (by order key) than the one before and differs from it in content, so no change is recorded twice in
 * a row; every item is a snapshot some writer sent; and the last one is the newest snapshot sent, which
 * is also the link's latest. Each "changed" outcome owns exactly one of those versions.
 */
import type { CustomerSnapshot } from '../../../lib/customer/snapshot.ts';
import { contentHash, snapshotOrderKey } from '../../../lib/store/content-hash.ts';
import { CustomerStore } from '../../../lib/store/customer-store.ts';
import type { HistoryEntry, SnapshotWriteOutcome } from '../../../lib/store/types.ts';
import { createTestTable, type TestTable } from '../../helpers/dynamodb.ts';
import { instrumentedStore, linkedCustomer, makeSnapshot, RETENTION_DAYS } from './store-fixtures.ts';

/** Deterministic shuffle (mulberry32), so a failing order can be replayed. */
function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function expectConsistentHistory(args: {
  history: HistoryEntry[];
  sent: CustomerSnapshot[];
  outcomes: SnapshotWriteOutcome[];
  latest: CustomerSnapshot | null | undefined;
  version: number | undefined;
}) {
  const { history, sent, outcomes, latest, version } = args;
  const oldestFirst = [...history].reverse();
  expect(oldestFirst.map((entry) => entry.version)).toEqual(oldestFirst.map((_, i) => i + 1));
  expect(version).toBe(history.length);
  for (let i = 1; i < oldestFirst.length; i++) {
    const [before, after] = [oldestFirst[i - 1], oldestFirst[i]];
    if (!before || !after) throw new Error('unreachable');
    expect(snapshotOrderKey(after.snapshot) > snapshotOrderKey(before.snapshot)).toBe(true);
    expect(contentHash(after.snapshot)).not.toBe(contentHash(before.snapshot));
  }
  for (const entry of history) expect(sent).toContainEqual(entry.snapshot);

  const newest = [...sent].sort((a, b) => snapshotOrderKey(a).localeCompare(snapshotOrderKey(b))).at(-1);
  expect(newest).toBeDefined();
  // The newest content may have been stored from an equal-content copy fetched at another time.
  expect(latest && contentHash(latest)).toBe(newest && contentHash(newest));
  expect(history[0]?.snapshot).toEqual(latest);

  const changedVersions = outcomes.flatMap((outcome) =>
    outcome.result === 'changed' ? [outcome.version] : [],
  );
  expect(changedVersions.sort((a, b) => a - b)).toEqual(oldestFirst.map((entry) => entry.version));
}

describe('CustomerStore concurrent snapshot writers', () => {
  let table: TestTable;
  let store: CustomerStore;
  beforeAll(async () => {
    table = await createTestTable('store-concurrency');
    store = new CustomerStore({
      doc: table.doc,
      tableName: table.tableName,
      historyRetentionDays: RETENTION_DAYS,
    });
  });
  afterAll(async () => table.drop());

  async function runWriters(customerId: string, snapshots: CustomerSnapshot[]) {
    // Three clients, so writers really interleave on the wire instead of queueing on one connection pool.
    const clients = [0, 1, 2].map(() => instrumentedStore(table.tableName));
    try {
      return await Promise.all(
        snapshots.map((snapshot, i) =>
          (clients[i % clients.length]?.store ?? store).writeSnapshot({
            customerId,
            snapshot,
            now: '2024-07-01T00:00:00.000Z',
            nextDueAt: '2024-07-02T00:00:00.000Z',
          }),
        ),
      );
    } finally {
      for (const client of clients) client.destroy();
    }
  }

  async function readAll(customerId: string, provider: CustomerSnapshot['provider']) {
    const history: HistoryEntry[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.getHistory({ customerId, provider, limit: 7, ...(cursor ? { cursor } : {}) });
      history.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    const link = (await store.getCustomer(customerId))?.links.find((l) => l.provider === provider);
    return { history, link };
  }

  it('keeps the newest of 30 writers mixing newer, older and equal snapshots, with one history item per change', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    // 10 distinct contents (each with its own provider update time), each sent 3 times, fetched at
    // different times: equal content must never produce two history items.
    const sent = Array.from({ length: 10 }, (_, content) =>
      Array.from({ length: 3 }, (_, copy) =>
        makeSnapshot({
          providerCustomerId,
          givenName: `Name ${content}`,
          providerUpdatedAt: new Date(Date.UTC(2024, 5, 1, content)).toISOString(),
          fetchedAt: new Date(Date.UTC(2024, 5, 2, content, copy)).toISOString(),
        }),
      ),
    ).flat();

    const outcomes = await runWriters(customerId, shuffle(sent, 42));
    const { history, link } = await readAll(customerId, 'palomma');

    expectConsistentHistory({ history, sent, outcomes, latest: link?.snapshot, version: link?.version });
    expect(link?.snapshot?.givenName).toBe('Name 9');
    // Contents are ordered by update time, so history cannot revisit one: every hash is distinct.
    expect(new Set(history.map((entry) => contentHash(entry.snapshot))).size).toBe(history.length);
    expect(outcomes.filter((o) => o.result === 'changed')).toHaveLength(history.length);
    expect(outcomes.every((o) => o.result !== 'no-link')).toBe(true);
  });

  it('orders 30 concurrent Mollie writers by fetch time, never recording the same content twice in a row', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store, { provider: 'mollie' });
    // Content cycles A, B, C, A, ... by fetch time: a customer edited back and forth at the provider.
    const sent = Array.from({ length: 30 }, (_, i) =>
      makeSnapshot({
        provider: 'mollie',
        providerCustomerId,
        providerUpdatedAt: null,
        givenName: ['A', 'B', 'C'][i % 3] ?? 'A',
        fetchedAt: new Date(Date.UTC(2024, 5, 2, 0, i)).toISOString(),
      }),
    );

    const outcomes = await runWriters(customerId, shuffle(sent, 7));
    const { history, link } = await readAll(customerId, 'mollie');

    expectConsistentHistory({ history, sent, outcomes, latest: link?.snapshot, version: link?.version });
    expect(link?.snapshot?.givenName).toBe('C');
  });
});
