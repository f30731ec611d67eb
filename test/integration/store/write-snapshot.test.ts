import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type { ProviderName } from '../../../lib/customer/snapshot.ts';
import { contentHash } from '../../../lib/store/content-hash.ts';
import { CustomerStore } from '../../../lib/store/customer-store.ts';
import { DueLinkReader } from '../../../lib/store/due-links.ts';
import { historySk, linkKey, syncKey } from '../../../lib/store/keys.ts';
import { TABLE } from '../../../lib/store/table.ts';
import { createTestTable, type TestTable } from '../../helpers/dynamodb.ts';
import {
  capacityUnits,
  indexUnits,
  instrumentedStore,
  linkedCustomer,
  makeInput,
  makeSnapshot,
  RETENTION_DAYS,
  rawItem,
  writesItem,
  writesOf,
  writtenKey,
} from './store-fixtures.ts';

/** The write that stores a new version on the link, and the writes of the sync state (claims included). */
const isLinkWrite = writesItem('PROVIDER#');
const isSyncWrite = writesItem('SYNC#');

describe('CustomerStore.writeSnapshot', () => {
  let table: TestTable;
  let store: CustomerStore;
  beforeAll(async () => {
    table = await createTestTable('store-write');
    store = new CustomerStore({
      doc: table.doc,
      tableName: table.tableName,
      historyRetentionDays: RETENTION_DAYS,
    });
  });
  afterAll(async () => table.drop());

  const now = '2024-06-02T00:00:05.000Z';
  const nextDueAt = '2024-06-03T00:00:00.000Z';

  /** A linked Mollie customer (no provider update times) and its snapshots by fetch time and name. */
  async function mollieCustomer() {
    const { customerId, providerCustomerId } = await linkedCustomer(store, { provider: 'mollie' });
    const at = (fetchedAt: string, givenName: string) =>
      makeSnapshot({ provider: 'mollie', providerCustomerId, providerUpdatedAt: null, fetchedAt, givenName });
    return { customerId, at };
  }

  async function historyOf(customerId: string, provider: ProviderName = 'palomma') {
    const page = await store.getHistory({ customerId, provider, limit: 100 });
    return page.items;
  }

  /**
   * Runs `slowWrite` on a store of its own client, holding its first command that `when` matches until
   * `overtake` has run on the test's store; fails unless that happened, so the race really took place.
   */
  async function overtaken<T>(
    when: (command: { name: string; input: Record<string, unknown> }) => boolean,
    overtake: () => Promise<unknown>,
    slowWrite: (slow: CustomerStore) => Promise<T>,
  ): Promise<T> {
    let done = false;
    const slow = instrumentedStore(table.tableName, {
      intercept: async (command) => {
        if (done || !when(command)) return;
        done = true;
        await overtake();
      },
    });
    let result: T;
    try {
      result = await slowWrite(slow.store);
    } finally {
      slow.destroy();
    }
    expect(done).toBe(true);
    return result;
  }

  it('stores a first snapshot as version 1 with one history item and records the sync success', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    const snapshot = makeSnapshot({ providerCustomerId });

    await expect(store.writeSnapshot({ customerId, snapshot, now, nextDueAt })).resolves.toEqual({
      result: 'changed',
      version: 1,
    });

    const record = await store.getCustomer(customerId);
    expect(record?.links[0]).toMatchObject({ status: 'active', version: 1, snapshot });
    expect(record?.syncStates[0]).toMatchObject({
      lastSuccessAt: now,
      consecutiveFailures: 0,
      lastError: null,
      nextDueAt,
    });
    expect(await historyOf(customerId)).toEqual([
      { customerId, provider: 'palomma', version: 1, snapshot, recordedAt: now },
    ]);
  });

  it('writes no snapshot and no history for unchanged content, only the sync state', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    const first = makeSnapshot({ providerCustomerId });
    await store.writeSnapshot({ customerId, snapshot: first, now, nextDueAt });
    const linkBefore = await rawItem(table.doc, table.tableName, linkKey(customerId, 'palomma'));

    const again = { ...first, fetchedAt: '2024-06-05T00:00:00.000Z' };
    const later = '2024-06-05T00:00:01.000Z';
    const laterDue = '2024-06-06T00:00:00.000Z';
    const outcome = await store.writeSnapshot({
      customerId,
      snapshot: again,
      now: later,
      nextDueAt: laterDue,
    });

    expect(outcome).toEqual({ result: 'unchanged', version: 1 });
    expect(await rawItem(table.doc, table.tableName, linkKey(customerId, 'palomma'))).toEqual(linkBefore);
    expect(await historyOf(customerId)).toHaveLength(1);
    const sync = (await store.getCustomer(customerId))?.syncStates[0];
    expect(sync).toMatchObject({ lastSuccessAt: later, nextDueAt: laterDue });
  });

  it('ignores a snapshot with an older provider update time, even when fetched later', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    const newer = makeSnapshot({ providerCustomerId, providerUpdatedAt: '2024-06-10T00:00:00.000Z' });
    await store.writeSnapshot({ customerId, snapshot: newer, now, nextDueAt });

    const older = makeSnapshot({
      providerCustomerId,
      givenName: 'Old',
      providerUpdatedAt: '2024-06-09T00:00:00.000Z',
      fetchedAt: '2024-06-20T00:00:00.000Z',
    });
    const outcome = await store.writeSnapshot({ customerId, snapshot: older, now, nextDueAt });

    expect(outcome).toEqual({ result: 'stale', version: 1 });
    expect((await store.getCustomer(customerId))?.links[0]?.snapshot).toEqual(newer);
    expect(await historyOf(customerId)).toHaveLength(1);
  });

  it('orders by fetch time when the provider keeps no update time (Mollie)', async () => {
    const { customerId, at } = await mollieCustomer();
    const write = (snapshot: ReturnType<typeof at>) =>
      store.writeSnapshot({ customerId, snapshot, now, nextDueAt });

    await expect(write(at('2024-06-02T10:00:00.000Z', 'B'))).resolves.toEqual({
      result: 'changed',
      version: 1,
    });
    await expect(write(at('2024-06-02T09:00:00.000Z', 'A'))).resolves.toEqual({
      result: 'stale',
      version: 1,
    });
    await expect(write(at('2024-06-02T11:00:00+01:00', 'C'))).resolves.toEqual({
      result: 'stale',
      version: 1,
    });
    await expect(write(at('2024-06-02T11:00:00.000Z', 'D'))).resolves.toEqual({
      result: 'changed',
      version: 2,
    });

    const record = await store.getCustomer(customerId);
    expect(record?.links[0]?.snapshot?.givenName).toBe('D');
  });

  it('decides by the condition, not by its read: a writer overtaken between read and write ends stale', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    const base = makeSnapshot({ providerCustomerId, providerUpdatedAt: '2024-06-01T00:00:00.000Z' });
    await store.writeSnapshot({ customerId, snapshot: base, now, nextDueAt });
    const older = makeSnapshot({
      providerCustomerId,
      givenName: 'B',
      providerUpdatedAt: '2024-06-02T00:00:00.000Z',
    });
    const newest = makeSnapshot({
      providerCustomerId,
      givenName: 'C',
      providerUpdatedAt: '2024-06-03T00:00:00.000Z',
    });

    // The slow writer has read version 1 and decided to write; the fast one stores before it claims.
    await expect(
      overtaken(
        isSyncWrite,
        () =>
          expect(store.writeSnapshot({ customerId, snapshot: newest, now, nextDueAt })).resolves.toEqual({
            result: 'changed',
            version: 2,
          }),
        (slow) => slow.writeSnapshot({ customerId, snapshot: older, now, nextDueAt }),
      ),
    ).resolves.toEqual({ result: 'stale', version: 2 });

    expect((await store.getCustomer(customerId))?.links[0]?.snapshot).toEqual(newest);
    expect((await historyOf(customerId)).map((entry) => entry.snapshot.givenName)).toEqual(['C', 'Ana']);
  });

  it('starts from the basis the caller read: a first snapshot is one batch read and two writes', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    const measured = instrumentedStore(table.tableName);
    try {
      const [read] = await measured.store.getLinksForSync([{ customerId, provider: 'palomma' }]);
      expect(read?.link).toMatchObject({ status: 'active', providerCustomerId, version: 0 });
      await expect(
        measured.store.writeSnapshot({
          customerId,
          snapshot: makeSnapshot({ providerCustomerId }),
          now,
          nextDueAt,
          basis: read?.basis ?? null,
        }),
      ).resolves.toEqual({ result: 'changed', version: 1 });
      // The sync-state claim and the link, each a put conditioned on the revision the batch read.
      expect(measured.sent.map((command) => command.name)).toEqual([
        'BatchGetItemCommand',
        'PutItemCommand',
        'PutItemCommand',
      ]);
    } finally {
      measured.destroy();
    }
  });

  it('starts a change from the batch read: the replaced version kept as history, then the new one', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    await store.writeSnapshot({ customerId, snapshot: makeSnapshot({ providerCustomerId }), now, nextDueAt });
    const measured = instrumentedStore(table.tableName);
    try {
      const [read] = await measured.store.getLinksForSync([{ customerId, provider: 'palomma' }]);
      expect(read?.link.version).toBe(1);
      const changed = makeSnapshot({
        providerCustomerId,
        givenName: 'B',
        providerUpdatedAt: '2024-06-02T00:00:00.000Z',
      });
      await expect(
        measured.store.writeSnapshot({
          customerId,
          snapshot: changed,
          now,
          nextDueAt,
          basis: read?.basis ?? null,
        }),
      ).resolves.toEqual({ result: 'changed', version: 2 });
      // The claim on the sync state and version 1's history item go together, then the new version.
      expect(measured.sent.map((command) => command.name).sort()).toEqual([
        'BatchGetItemCommand',
        'PutItemCommand',
        'PutItemCommand',
        'PutItemCommand',
      ]);
      expect(isLinkWrite(measured.sent.at(-1) ?? { name: '', input: {} })).toBe(true);
    } finally {
      measured.destroy();
    }
    expect((await historyOf(customerId)).map((entry) => entry.snapshot.givenName)).toEqual(['B', 'Ana']);
  });

  it('decides again from a fresh read when the basis it was given is outdated', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    const at = (day: string) => `2024-06-${day}T00:00:00.000Z`;
    const snapshotOf = (givenName: string, day: string) =>
      makeSnapshot({ providerCustomerId, givenName, providerUpdatedAt: at(day) });
    await store.writeSnapshot({ customerId, snapshot: snapshotOf('A', '01'), now, nextDueAt });
    const [outdatedRead] = await store.getLinksForSync([{ customerId, provider: 'palomma' }]);
    const outdated = outdatedRead?.basis ?? null;
    await store.writeSnapshot({ customerId, snapshot: snapshotOf('C', '03'), now, nextDueAt });

    // Older than what is stored now, though newer than the basis: stale, not a lost update of C.
    await expect(
      store.writeSnapshot({ customerId, snapshot: snapshotOf('B', '02'), now, nextDueAt, basis: outdated }),
    ).resolves.toEqual({ result: 'stale', version: 2 });
    // Same content as the outdated basis held, but changed since: a change back to A, version 3.
    await expect(
      store.writeSnapshot({ customerId, snapshot: snapshotOf('A', '04'), now, nextDueAt, basis: outdated }),
    ).resolves.toEqual({ result: 'changed', version: 3 });
    expect((await historyOf(customerId)).map((entry) => entry.snapshot.givenName)).toEqual(['A', 'C', 'A']);
  });

  it('raises the revision of a link and its sync state on every write, so a put from an older read fails', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    const revisions = async () =>
      Promise.all(
        [linkKey(customerId, 'palomma'), syncKey(customerId, 'palomma')].map(
          async (key) => (await rawItem(table.doc, table.tableName, key))?.rev,
        ),
      );
    const before = await revisions();
    const [read] = await store.getLinksForSync([{ customerId, provider: 'palomma' }]);
    // A failure recorded after the read changes neither content nor order key, only the revision.
    await store.recordSyncFailure({
      customerId,
      provider: 'palomma',
      error: { name: 'ProviderUnavailableError', message: 'HTTP 503' },
      now,
      nextDueAt,
    });
    const afterFailure = await revisions();
    expect(afterFailure[0]).toBe(before[0]);
    expect(afterFailure[1]).toBe(Number(before[1]) + 1);

    let claims = 0;
    const measured = instrumentedStore(table.tableName, {
      intercept: (command) => {
        if (isSyncWrite(command)) claims++;
      },
    });
    try {
      await expect(
        measured.store.writeSnapshot({
          customerId,
          snapshot: makeSnapshot({ providerCustomerId }),
          now,
          nextDueAt,
          basis: read?.basis ?? null,
        }),
      ).resolves.toEqual({ result: 'changed', version: 1 });
      // The claim from the read failed (the link put went through); a fresh read claimed again.
      expect(claims).toBe(2);
      expect(measured.sent.filter(isSyncWrite)).toHaveLength(1);
    } finally {
      measured.destroy();
    }
    const sync = await rawItem(table.doc, table.tableName, syncKey(customerId, 'palomma'));
    expect(sync).toMatchObject({ consecutiveFailures: 0, lastSuccessAt: now });
    expect(sync).not.toHaveProperty('lastError');
    // The link: its new version, then the fence of the retried claim; the sync state: the one claim.
    expect(await revisions()).toEqual([Number(before[0]) + 2, Number(afterFailure[1]) + 1]);
    await store.markGone({ customerId, provider: 'palomma', now });
    expect(await revisions()).toEqual([Number(before[0]) + 3, Number(afterFailure[1]) + 2]);
  });

  it('writes snapshots onto links and sync states stored before revisions existed', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    for (const key of [linkKey(customerId, 'palomma'), syncKey(customerId, 'palomma')]) {
      await table.doc.send(
        new UpdateCommand({ TableName: table.tableName, Key: key, UpdateExpression: 'REMOVE rev' }),
      );
    }
    const [read] = await store.getLinksForSync([{ customerId, provider: 'palomma' }]);
    await expect(
      store.writeSnapshot({
        customerId,
        snapshot: makeSnapshot({ providerCustomerId }),
        now,
        nextDueAt,
        basis: read?.basis ?? null,
      }),
    ).resolves.toEqual({ result: 'changed', version: 1 });
    const link = await rawItem(table.doc, table.tableName, linkKey(customerId, 'palomma'));
    expect(link).toMatchObject({ version: 1, rev: 1 });
    // Its index keys came along with the rest of the item.
    expect(await store.findByProviderId('palomma', providerCustomerId)).toEqual({
      customerId,
      provider: 'palomma',
      providerCustomerId,
      status: 'active',
    });
  });

  it('lets a newer fetch through when the writer before it died between its claim and its link write', async () => {
    const { customerId, at } = await mollieCustomer();
    await store.writeSnapshot({ customerId, snapshot: at('2024-06-02T01:00:00.000Z', 'A'), now, nextDueAt });

    const dying = instrumentedStore(table.tableName, {
      intercept: (command) => {
        if (isLinkWrite(command)) throw new Error('simulated crash before the link write');
      },
    });
    try {
      await expect(
        dying.store.writeSnapshot({
          customerId,
          snapshot: at('2024-06-02T02:00:00.000Z', 'B'),
          now,
          nextDueAt,
        }),
      ).rejects.toThrow('simulated crash');
    } finally {
      dying.destroy();
    }
    // Its claim stays on the sync state; the link and history are untouched.
    expect((await store.getCustomer(customerId))?.links[0]).toMatchObject({
      version: 1,
      snapshot: { givenName: 'A' },
    });

    // A newer fetch of the content the link already holds settles the sync state and changes nothing.
    await expect(
      store.writeSnapshot({ customerId, snapshot: at('2024-06-02T03:00:00.000Z', 'A'), now, nextDueAt }),
    ).resolves.toEqual({ result: 'unchanged', version: 1 });
    // The dead writer's fetch, redelivered as is, is now older than what was seen: stale.
    await expect(
      store.writeSnapshot({ customerId, snapshot: at('2024-06-02T02:00:00.000Z', 'B'), now, nextDueAt }),
    ).resolves.toEqual({ result: 'stale', version: 1 });
    // And a newer change stores normally.
    await expect(
      store.writeSnapshot({ customerId, snapshot: at('2024-06-02T04:00:00.000Z', 'C'), now, nextDueAt }),
    ).resolves.toEqual({ result: 'changed', version: 2 });
    expect((await historyOf(customerId, 'mollie')).map((entry) => entry.snapshot.givenName)).toEqual([
      'C',
      'A',
    ]);
  });

  it('finishes the sync state when a first snapshot stored but lost its claim to a writer that died', async () => {
    const { customerId, at } = await mollieCustomer();
    const [read] = await store.getLinksForSync([{ customerId, provider: 'mollie' }]);
    const basis = read?.basis ?? null;
    // Another writer claimed an older fetch on the sync state and died before writing the link.
    await table.doc.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: syncKey(customerId, 'mollie'),
        UpdateExpression: 'SET orderKey = :order, contentHash = :hash',
        ExpressionAttributeValues: { ':order': '|2024-06-02T01:00:00.000Z', ':hash': 'of-a-dead-claim' },
      }),
    );
    await expect(
      store.writeSnapshot({
        customerId,
        snapshot: at('2024-06-02T02:00:00.000Z', 'B'),
        now,
        nextDueAt,
        basis,
      }),
    ).resolves.toEqual({ result: 'changed', version: 1 });
    const sync = await rawItem(table.doc, table.tableName, syncKey(customerId, 'mollie'));
    expect(sync).toMatchObject({
      orderKey: '|2024-06-02T02:00:00.000Z',
      contentHash: contentHash(at('2024-06-02T02:00:00.000Z', 'B')),
    });
  });

  it('fences the link when a newer fetch of its content overtakes a claim, so the older content never lands', async () => {
    const { customerId, at } = await mollieCustomer();
    await store.writeSnapshot({ customerId, snapshot: at('2024-06-02T01:00:00.000Z', 'A'), now, nextDueAt });

    // The slow writer (B, fetched 02:00) has claimed and is about to write the link; a fetch of A at
    // 03:00 (edited back at the provider) gets in first.
    await expect(
      overtaken(
        isLinkWrite,
        () =>
          expect(
            store.writeSnapshot({
              customerId,
              snapshot: at('2024-06-02T03:00:00.000Z', 'A'),
              now,
              nextDueAt,
            }),
          ).resolves.toEqual({ result: 'unchanged', version: 1 }),
        (slow) =>
          slow.writeSnapshot({ customerId, snapshot: at('2024-06-02T02:00:00.000Z', 'B'), now, nextDueAt }),
      ),
    ).resolves.toEqual({ result: 'stale', version: 1 });
    expect((await store.getCustomer(customerId))?.links[0]).toMatchObject({
      version: 1,
      snapshot: { givenName: 'A' },
    });
    expect((await historyOf(customerId, 'mollie')).map((entry) => entry.snapshot.givenName)).toEqual(['A']);
  });

  it('makes an older fetch of other content stale once a newer fetch confirmed the stored content', async () => {
    const { customerId, at } = await mollieCustomer();
    const write = (snapshot: ReturnType<typeof at>) =>
      store.writeSnapshot({ customerId, snapshot, now, nextDueAt });

    await write(at('2024-06-02T01:00:00.000Z', 'A'));
    // Edited to B and back to A at the provider; the fetch of A at 03:00 arrives before the one of B at 02:00.
    await expect(write(at('2024-06-02T03:00:00.000Z', 'A'))).resolves.toEqual({
      result: 'unchanged',
      version: 1,
    });
    await expect(write(at('2024-06-02T02:00:00.000Z', 'B'))).resolves.toEqual({
      result: 'stale',
      version: 1,
    });

    expect((await store.getCustomer(customerId))?.links[0]?.snapshot?.givenName).toBe('A');
  });

  it('decides again when the content it found unchanged was replaced before its sync-state write', async () => {
    const { customerId, at } = await mollieCustomer();
    await store.writeSnapshot({ customerId, snapshot: at('2024-06-02T01:00:00.000Z', 'C'), now, nextDueAt });

    // The slow writer has read C and found its C (fetched 03:00) unchanged; before it records that, a
    // fast writer stores A (fetched 02:00). The newest state is C again, so the slow writer must store it.
    await expect(
      overtaken(
        isSyncWrite,
        () =>
          store.writeSnapshot({ customerId, snapshot: at('2024-06-02T02:00:00.000Z', 'A'), now, nextDueAt }),
        (slow) =>
          slow.writeSnapshot({ customerId, snapshot: at('2024-06-02T03:00:00.000Z', 'C'), now, nextDueAt }),
      ),
    ).resolves.toEqual({ result: 'changed', version: 3 });

    expect((await historyOf(customerId, 'mollie')).map((entry) => entry.snapshot.givenName)).toEqual([
      'C',
      'A',
      'C',
    ]);
  });

  it('keeps a replaced version as a history item with a TTL of recordedAt plus the retention days', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    await store.writeSnapshot({ customerId, snapshot: makeSnapshot({ providerCustomerId }), now, nextDueAt });
    const version1 = { pk: `CUSTOMER#${customerId}`, sk: historySk('palomma', 1) };
    // The current version lives on the link; its history item is written when it is replaced.
    expect(await rawItem(table.doc, table.tableName, version1)).toBeUndefined();
    await store.writeSnapshot({
      customerId,
      snapshot: makeSnapshot({
        providerCustomerId,
        givenName: 'B',
        providerUpdatedAt: '2024-06-02T00:00:00.000Z',
      }),
      now: '2024-06-09T00:00:00.000Z',
      nextDueAt,
    });

    const item = await rawItem(table.doc, table.tableName, version1);
    expect(item?.recordedAt).toBe(now);
    expect(item?.expiresAt).toBe(Date.parse(now) / 1000 + RETENTION_DAYS * 86_400);
    expect(item?.contentHash).toBe(contentHash(makeSnapshot({ providerCustomerId })));
  });

  it('answers no-link for an unknown customer, a pending link or another provider customer id', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    const other = makeSnapshot({ providerCustomerId: `${providerCustomerId}-other` });
    await expect(store.writeSnapshot({ customerId, snapshot: other, now, nextDueAt })).resolves.toEqual({
      result: 'no-link',
    });
    await expect(
      store.writeSnapshot({ customerId: 'nobody', snapshot: makeSnapshot(), now, nextDueAt }),
    ).resolves.toEqual({ result: 'no-link' });
    const pending = ulid();
    await store.createCustomer({ customerId: pending, input: makeInput(), providers: ['palomma'], now });
    await expect(
      store.writeSnapshot({
        customerId: pending,
        snapshot: makeSnapshot({ providerCustomerId: 'pal_x' }),
        now,
        nextDueAt,
      }),
    ).resolves.toEqual({ result: 'no-link' });
    expect(await historyOf(customerId)).toHaveLength(0);
    expect((await store.getCustomer(pending))?.links[0]).toMatchObject({ status: 'pending', snapshot: null });
  });

  it('costs at most one write capacity unit, table and indexes together, for an unchanged re-sync', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    const snapshot = makeSnapshot({ providerCustomerId });
    await store.writeSnapshot({ customerId, snapshot, now, nextDueAt });
    const measured = instrumentedStore(table.tableName, { capacity: true });
    try {
      for (const day of ['05', '06', '07']) {
        measured.sent.length = 0;
        await expect(
          measured.store.writeSnapshot({
            customerId,
            snapshot: { ...snapshot, fetchedAt: `2024-06-${day}T00:00:00.000Z` },
            now: `2024-06-${day}T00:00:01.000Z`,
            nextDueAt: `2024-06-${day}T01:00:00.000Z`,
          }),
        ).resolves.toEqual({ result: 'unchanged', version: 1 });
        const unchanged = writesOf(measured.sent);

        expect(unchanged.map((c) => [c.name, writtenKey(c.input)])).toEqual([
          ['PutItemCommand', syncKey(customerId, 'palomma')],
        ]);
        // A synced sync item is in no index and far under 1 KB: moving its due time is one unit in all.
        expect(capacityUnits(unchanged)).toBeLessThanOrEqual(1);
        expect(indexUnits(unchanged)).toEqual({});
      }
      // A failed sync that backs off moves its due time off the link's slot: the due index then holds
      // the sync state by that time (one small entry more), and the next success takes it out again.
      measured.sent.length = 0;
      await measured.store.recordSyncFailure({
        customerId,
        provider: 'palomma',
        error: { name: 'ProviderUnavailableError', message: 'HTTP 503' },
        now,
        nextDueAt: '2024-06-09T00:00:00.000Z',
      });
      expect(capacityUnits(writesOf(measured.sent))).toBeLessThanOrEqual(2);
      expect(indexUnits(writesOf(measured.sent))).toEqual({ [TABLE.indexes.dueForSync.name]: 1 });
    } finally {
      measured.destroy();
    }
  });

  it('writes a change as single-item writes at the plain rate, leaving the link indexes alone', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    const measured = instrumentedStore(table.tableName, { capacity: true });
    try {
      const costs: { writes: string[]; units: number; indexes: Record<string, number> }[] = [];
      for (const hour of ['01', '02']) {
        measured.sent.length = 0;
        await measured.store.writeSnapshot({
          customerId,
          snapshot: makeSnapshot({ providerCustomerId, providerUpdatedAt: `2024-06-01T${hour}:00:00.000Z` }),
          now,
          nextDueAt,
        });
        const changed = writesOf(measured.sent);
        costs.push({
          writes: changed.map((c) => c.name).sort(),
          units: capacityUnits(changed),
          indexes: indexUnits(changed),
        });
      }

      // First snapshot: the sync-state claim and the link. A change: also the replaced version's history
      // item. No transaction doubles a rate, and the link indexes project nothing a snapshot changes.
      expect(costs.map((cost) => cost.writes)).toEqual([
        ['PutItemCommand', 'PutItemCommand'],
        ['PutItemCommand', 'PutItemCommand', 'PutItemCommand'],
      ]);
      for (const cost of costs) expect(cost.indexes).not.toHaveProperty(TABLE.indexes.byProviderId.name);
      // The first success takes the new link's sync state out of the due index (held by due time until
      // then); a change leaves that index alone.
      expect(costs.map((cost) => cost.indexes[TABLE.indexes.dueForSync.name])).toEqual([1, undefined]);
      const [first, change] = costs;
      // One more item (history, ~1 KB) than the first snapshot: at most 2 units more, not twice as much.
      expect((change?.units ?? 0) - (first?.units ?? 0)).toBeGreaterThan(0);
      expect((change?.units ?? 0) - (first?.units ?? 0)).toBeLessThanOrEqual(2);
    } finally {
      measured.destroy();
    }
  });

  it('lets AWS errors such as throttling reach the caller', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    const snapshot = makeSnapshot({ providerCustomerId });
    const throttle = (when: (command: { name: string; input: Record<string, unknown> }) => boolean) =>
      instrumentedStore(table.tableName, {
        intercept: (command) => {
          if (when(command)) {
            throw new ProvisionedThroughputExceededException({
              message: 'simulated throttling',
              $metadata: {},
            });
          }
        },
      });
    const write = (target: CustomerStore, fetchedAt: string) =>
      target.writeSnapshot({ customerId, snapshot: { ...snapshot, fetchedAt }, now, nextDueAt });
    const onStateWrite = throttle((command) => isLinkWrite(command) || isSyncWrite(command));
    const onHistory = throttle(writesItem('HISTORY#'));
    const throttled = expect.any(ProvisionedThroughputExceededException);
    try {
      // The first snapshot, a re-sync, and a change (throttled on its history item).
      await expect(write(onStateWrite.store, '2024-06-02T00:00:00.000Z')).rejects.toEqual(throttled);
      await write(store, '2024-06-02T00:00:00.000Z');
      await expect(write(onStateWrite.store, '2024-06-03T00:00:00.000Z')).rejects.toEqual(throttled);
      const changed = { ...snapshot, givenName: 'B', providerUpdatedAt: '2024-06-04T00:00:00.000Z' };
      await expect(
        onHistory.store.writeSnapshot({ customerId, snapshot: changed, now, nextDueAt }),
      ).rejects.toEqual(throttled);
      // Nothing half-done is lost: the same change again completes, with version 1 in history.
      await expect(store.writeSnapshot({ customerId, snapshot: changed, now, nextDueAt })).resolves.toEqual({
        result: 'changed',
        version: 2,
      });
      expect((await historyOf(customerId)).map((entry) => entry.version)).toEqual([2, 1]);
    } finally {
      onStateWrite.destroy();
      onHistory.destroy();
    }
  });
});

describe('CustomerStore sync state', () => {
  let table: TestTable;
  let store: CustomerStore;
  beforeAll(async () => {
    table = await createTestTable('store-sync');
    store = new CustomerStore({
      doc: table.doc,
      tableName: table.tableName,
      historyRetentionDays: RETENTION_DAYS,
    });
  });
  afterAll(async () => table.drop());

  const now = '2024-06-02T00:00:00.000Z';

  it('counts concurrent failures without losing one, and a success resets them', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        store.recordSyncFailure({
          customerId,
          provider: 'palomma',
          error: { name: 'ProviderUnavailableError', message: `HTTP 503 (${i})` },
          now,
          nextDueAt: '2024-06-02T00:05:00.000Z',
        }),
      ),
    );
    const failed = (await store.getCustomer(customerId))?.syncStates[0];
    expect(failed).toMatchObject({
      consecutiveFailures: 12,
      lastAttemptAt: now,
      nextDueAt: '2024-06-02T00:05:00.000Z',
      lastError: { name: 'ProviderUnavailableError', at: now },
    });

    await store.writeSnapshot({
      customerId,
      snapshot: makeSnapshot({ providerCustomerId }),
      now,
      nextDueAt: '2024-06-03T00:00:00.000Z',
    });
    expect((await store.getCustomer(customerId))?.syncStates[0]).toMatchObject({
      consecutiveFailures: 0,
      lastError: null,
      lastSuccessAt: now,
    });
  });

  it('keeps a gone link, its snapshot and history, and takes it off the due index', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    const snapshot = makeSnapshot({ providerCustomerId });
    await store.writeSnapshot({ customerId, snapshot, now, nextDueAt: now });

    await store.markGone({ customerId, provider: 'palomma', now: '2024-06-04T00:00:00.000Z' });
    await store.recordSyncFailure({
      customerId,
      provider: 'palomma',
      error: { name: 'ProviderNotFoundError', message: 'HTTP 404' },
      now,
      nextDueAt: now,
    });

    const record = await store.getCustomer(customerId);
    expect(record?.links[0]).toMatchObject({ status: 'gone', goneAt: '2024-06-04T00:00:00.000Z', snapshot });
    expect(record?.syncStates[0]?.nextDueAt).toBeNull();
    const sync = await rawItem(table.doc, table.tableName, syncKey(customerId, 'palomma'));
    expect(sync).not.toHaveProperty('gsi4pk');
    expect(sync).not.toHaveProperty('gsi4sk');
    const history = await store.getHistory({ customerId, provider: 'palomma', limit: 10 });
    expect(history.items).toHaveLength(1);
    const due = [];
    for await (const page of new DueLinkReader({ doc: table.doc, tableName: table.tableName }).listDueLinks({
      provider: 'palomma',
      dueBy: '2030-01-01T00:00:00Z',
      limit: 50,
    })) {
      due.push(...page);
    }
    expect(due.map((link) => link.customerId)).not.toContain(customerId);
  });

  it('makes a gone link active again when a fetch newer than the 404 succeeds', async () => {
    const { customerId, providerCustomerId } = await linkedCustomer(store);
    const snapshot = makeSnapshot({ providerCustomerId, fetchedAt: '2024-06-02T00:00:00.000Z' });
    await store.writeSnapshot({ customerId, snapshot, now, nextDueAt: now });
    await store.markGone({ customerId, provider: 'palomma', now: '2024-06-04T00:00:00.000Z' });

    // Fetched before the 404: says nothing about the customer existing now.
    await store.writeSnapshot({
      customerId,
      snapshot: { ...snapshot, fetchedAt: '2024-06-03T00:00:00.000Z' },
      now,
      nextDueAt: now,
    });
    expect((await store.getCustomer(customerId))?.links[0]?.status).toBe('gone');

    await store.writeSnapshot({
      customerId,
      snapshot: { ...snapshot, fetchedAt: '2024-06-05T00:00:00.000Z' },
      now,
      nextDueAt: '2024-06-06T00:00:00.000Z',
    });
    const record = await store.getCustomer(customerId);
    expect(record?.links[0]).toMatchObject({ status: 'active', goneAt: null });
    expect(record?.syncStates[0]?.nextDueAt).toBe('2024-06-06T00:00:00.000Z');
  });

  it('refuses to mark a link gone that does not exist', async () => {
    await expect(store.markGone({ customerId: 'nobody', provider: 'palomma', now })).rejects.toMatchObject({
      name: 'StoreNotFoundError',
    });
  });
});
