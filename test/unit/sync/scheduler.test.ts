import { shardOf } from '../../../lib/store/keys.ts';
import { TABLE } from '../../../lib/store/table.ts';
import { fixedClock } from '../../../lib/sync/clock.ts';
import { SyncMetricsRecorder } from '../../../lib/sync/metrics.ts';
import { InMemorySyncQueue, type SyncMessage, type SyncQueue } from '../../../lib/sync/queue.ts';
import { createSyncSchedule } from '../../../lib/sync/schedule.ts';
import {
  inputFromSnapshot,
  runScheduledSync,
  type SchedulerDeps,
  SchedulerEventSchema,
} from '../../../lib/sync/scheduler.ts';
import { FakeAdapter, FakeStore, snapshotOf } from './fakes.ts';

const schedule = createSyncSchedule({
  intervalSeconds: { palomma: 3600, delos: 3600, mollie: 3600, juspay: 3600 },
  retryBaseSeconds: 60,
  maxBackoffSeconds: 3600,
  jitter: 0,
});
const NOW = '2024-06-01T12:00:00.000Z';

async function linked(store: FakeStore, customerId: string, providerCustomerId: string, linkedAt: string) {
  await store.createCustomer({
    customerId,
    input: { reference: `ref-${customerId}`, kind: 'individual' },
    providers: [],
    now: linkedAt,
  });
  await store.linkProvider({ customerId, provider: 'mollie', providerCustomerId, now: linkedAt });
}

function deps(store: FakeStore, queue: SyncQueue, extra: Partial<SchedulerDeps> = {}): SchedulerDeps {
  let id = 0;
  return {
    store,
    dueLinks: store,
    queue,
    adapters: {},
    clock: fixedClock(NOW),
    schedule,
    pageSize: 2,
    newId: () => `NEW${++id}`,
    ...extra,
  };
}

describe('runScheduledSync (due)', () => {
  it('enqueues every due link page by page, pending creates as pending-create, and reports the oldest overdue', async () => {
    const store = new FakeStore();
    await linked(store, 'C1', 'cst_1', '2024-06-01T11:00:00.000Z');
    await linked(store, 'C2', 'cst_2', '2024-06-01T11:59:00.000Z');
    await linked(store, 'C3', 'cst_3', '2024-06-01T13:00:00.000Z'); // not due yet
    await store.createCustomer({
      customerId: 'P1',
      input: { reference: 'ref-P1', kind: 'individual' },
      providers: ['mollie'],
      now: '2024-06-01T11:30:00.000Z',
    });
    const queue = new InMemorySyncQueue();
    const metrics = new SyncMetricsRecorder();
    const summary = await runScheduledSync(deps(store, queue, { metrics }), {
      provider: 'mollie',
      mode: 'due',
    });
    expect(summary).toEqual({
      provider: 'mollie',
      mode: 'due',
      enqueued: 3,
      pages: 2,
      oldestOverdueSeconds: 3600,
      truncated: false,
    });
    expect(queue.messages).toEqual(
      expect.arrayContaining<SyncMessage>([
        { customerId: 'C1', provider: 'mollie', reason: 'scheduled' },
        { customerId: 'C2', provider: 'mollie', reason: 'scheduled' },
        { customerId: 'P1', provider: 'mollie', reason: 'pending-create' },
      ]),
    );
    expect(queue.messages).toHaveLength(3);
    expect(metrics.gauges.get('OldestOverdueSeconds|mollie')).toBe(3600);
  });

  it('sends each page before reading the next (memory is one page)', async () => {
    const store = new FakeStore();
    for (let i = 0; i < 7; i++) await linked(store, `C${i}`, `cst_${i}`, '2024-06-01T11:00:00.000Z');
    const sentAfterPages: number[] = [];
    const queue: SyncQueue = {
      send: async (messages) => {
        expect(messages.length).toBeLessThanOrEqual(2);
        sentAfterPages.push(store.pagesServed);
      },
    };
    const summary = await runScheduledSync(deps(store, queue), { provider: 'mollie', mode: 'due' });
    expect(summary.pages).toBe(4);
    expect(sentAfterPages).toEqual([1, 2, 3, 4]);
  });

  it('reports zero overdue and enqueues nothing when nothing is due', async () => {
    const store = new FakeStore();
    const queue = new InMemorySyncQueue();
    const summary = await runScheduledSync(deps(store, queue), { provider: 'delos', mode: 'due' });
    expect(summary).toMatchObject({ enqueued: 0, pages: 0, oldestOverdueSeconds: 0 });
  });

  it('plans only the shard the event names, and the shards together plan every due link once', async () => {
    const store = new FakeStore();
    const ids = Array.from({ length: 40 }, (_, i) => `C${i}`);
    for (const id of ids) await linked(store, id, `cst_${id}`, '2024-06-01T11:00:00.000Z');
    const byShard = (shard: number) => ids.filter((id) => shardOf(id, TABLE.dueShards) === shard);
    const planned: string[] = [];
    for (let shard = 0; shard < TABLE.dueShards; shard++) {
      const queue = new InMemorySyncQueue();
      const summary = await runScheduledSync(deps(store, queue), { provider: 'mollie', mode: 'due', shard });
      expect(summary).toMatchObject({ shard, enqueued: byShard(shard).length, truncated: false });
      expect(queue.messages.map((message) => message.customerId).sort()).toEqual(byShard(shard).sort());
      planned.push(...queue.messages.map((message) => message.customerId));
    }
    // The ids spread over more than one shard, so a run that ignored its shard would fail above.
    expect(new Set(ids.map((id) => shardOf(id, TABLE.dueShards))).size).toBeGreaterThan(1);
    expect(planned.sort()).toEqual([...ids].sort());
  });

  it('stops paging when its time budget is spent, and the next run picks up what it did not reach', async () => {
    const store = new FakeStore();
    for (let i = 0; i < 7; i++) await linked(store, `C${i}`, `cst_${i}`, '2024-06-01T11:00:00.000Z');
    const queue = new InMemorySyncQueue();
    const metrics = new SyncMetricsRecorder();
    // Budget left after the first page, none after the second.
    const budget = [1_000, 0];
    const first = await runScheduledSync(
      deps(store, queue, { metrics, remainingMs: () => budget.shift() ?? 0 }),
      { provider: 'mollie', mode: 'due' },
    );
    expect(first).toMatchObject({ pages: 2, enqueued: 4, truncated: true });
    expect(metrics.total('SchedulerRunsTruncated', 'mollie')).toBe(1);
    // The worker syncs what was enqueued: those links are no longer due.
    const reached = queue.messages.map((message) => message.customerId);
    for (const customerId of reached) {
      const providerCustomerId = `cst_${customerId.slice(1)}`;
      await store.writeSnapshot({
        customerId,
        snapshot: snapshotOf('mollie', providerCustomerId),
        now: NOW,
        nextDueAt: '2024-06-01T13:00:00.000Z',
      });
    }

    const next = new InMemorySyncQueue();
    metrics.clear();
    const second = await runScheduledSync(deps(store, next, { metrics, remainingMs: () => 60_000 }), {
      provider: 'mollie',
      mode: 'due',
    });
    expect(second).toMatchObject({ enqueued: 3, truncated: false });
    expect(metrics.counts.get('SchedulerRunsTruncated|mollie')).toBe(0);
    const all = [...reached, ...next.messages.map((message) => message.customerId)];
    expect(all.sort()).toEqual(['C0', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6']);
  });

  it('accepts a shard only within the due index, and only for due runs', () => {
    expect(SchedulerEventSchema.parse({ provider: 'mollie', shard: 7 })).toEqual({
      provider: 'mollie',
      mode: 'due',
      shard: 7,
    });
    for (const event of [
      { provider: 'mollie', mode: 'due', shard: TABLE.dueShards },
      { provider: 'mollie', mode: 'due', shard: -1 },
      { provider: 'mollie', mode: 'due', shard: 1.5 },
      { provider: 'mollie', mode: 'backfill', shard: 0 },
    ]) {
      expect(SchedulerEventSchema.safeParse(event).success).toBe(false);
    }
  });

  it('fails the run when the queue refuses messages (the schedule retries it)', async () => {
    const store = new FakeStore();
    await linked(store, 'C1', 'cst_1', '2024-06-01T11:00:00.000Z');
    const queue: SyncQueue = { send: async () => Promise.reject(new Error('queue down')) };
    await expect(runScheduledSync(deps(store, queue), { provider: 'mollie', mode: 'due' })).rejects.toThrow(
      'queue down',
    );
  });
});

describe('runScheduledSync (backfill)', () => {
  it('imports customers the provider has but no link knows, with an active link and their snapshot', async () => {
    const store = new FakeStore();
    await linked(store, 'C1', 'cst_known', '2024-06-01T11:00:00.000Z');
    const mollie = new FakeAdapter('mollie');
    mollie.customers.set('cst_known', snapshotOf('mollie', 'cst_known'));
    mollie.customers.set(
      'cst_new',
      snapshotOf('mollie', 'cst_new', { reference: null, email: 'j***@example.com' }),
    );
    mollie.customers.set('cst_ref', snapshotOf('mollie', 'cst_ref', { reference: 'merchant-42' }));
    const metrics = new SyncMetricsRecorder();
    const summary = await runScheduledSync(
      deps(store, new InMemorySyncQueue(), { adapters: { mollie }, metrics }),
      {
        provider: 'mollie',
        mode: 'backfill',
      },
    );
    expect(summary).toMatchObject({ mode: 'backfill', scanned: 3, imported: 2, pages: 2, enqueued: 0 });
    expect(metrics.total('CustomersImported', 'mollie')).toBe(2);

    const imported = await store.findByProviderId('mollie', 'cst_new');
    expect(imported?.status).toBe('active');
    const record = imported ? await store.getCustomer(imported.customerId) : null;
    expect(record?.links[0]?.snapshot?.providerCustomerId).toBe('cst_new');
    const profile = await store.findByReference('mollie:cst_new');
    expect(profile?.customerId).toBe(imported?.customerId);
    // The masked email is provider data: kept in the snapshot, not put into the merchant input.
    expect(profile?.input.email).toBeUndefined();
    expect((await store.findByReference('merchant-42'))?.customerId).toBe(
      (await store.findByProviderId('mollie', 'cst_ref'))?.customerId,
    );
    expect(store.history).toHaveLength(2);
  });

  it('links a listed customer to the existing customer with the same merchant reference', async () => {
    const store = new FakeStore();
    await store.createCustomer({
      customerId: 'C9',
      input: { reference: 'merchant-9', kind: 'individual' },
      providers: ['mollie'],
      now: NOW,
    });
    const mollie = new FakeAdapter('mollie');
    mollie.customers.set('cst_9', snapshotOf('mollie', 'cst_9', { reference: 'merchant-9' }));
    const summary = await runScheduledSync(deps(store, new InMemorySyncQueue(), { adapters: { mollie } }), {
      provider: 'mollie',
      mode: 'backfill',
    });
    expect(summary.imported).toBe(1);
    expect(store.link('C9', 'mollie')).toMatchObject({ providerCustomerId: 'cst_9', status: 'active' });
    expect(store.profiles.size).toBe(1);
  });

  it('imports under a provider-scoped reference when the reference belongs to a customer linked elsewhere', async () => {
    const store = new FakeStore();
    await linked(store, 'C1', 'cst_1', NOW);
    const mollie = new FakeAdapter('mollie');
    mollie.customers.set('cst_1', snapshotOf('mollie', 'cst_1', { reference: 'ref-C1' }));
    mollie.customers.set('cst_dup', snapshotOf('mollie', 'cst_dup', { reference: 'ref-C1' }));
    await runScheduledSync(deps(store, new InMemorySyncQueue(), { adapters: { mollie } }), {
      provider: 'mollie',
      mode: 'backfill',
    });
    const dup = await store.findByProviderId('mollie', 'cst_dup');
    expect(dup?.customerId).not.toBe('C1');
    expect((await store.findByReference('mollie:cst_dup'))?.customerId).toBe(dup?.customerId);
  });

  it('does nothing for a provider without a list endpoint', async () => {
    const store = new FakeStore();
    const delos = new FakeAdapter('delos', { capabilities: { canList: false } });
    delos.customers.set('d1', snapshotOf('delos', 'd1'));
    const summary = await runScheduledSync(deps(store, new InMemorySyncQueue(), { adapters: { delos } }), {
      provider: 'delos',
      mode: 'backfill',
    });
    expect(summary).toMatchObject({ scanned: 0, imported: 0 });
    expect(delos.calls.list).toBe(0);
  });

  it('loads the adapter through a loader when given one', async () => {
    const store = new FakeStore();
    const mollie = new FakeAdapter('mollie');
    mollie.customers.set('cst_1', snapshotOf('mollie', 'cst_1'));
    const asked: string[] = [];
    const summary = await runScheduledSync(
      deps(store, new InMemorySyncQueue(), {
        adapters: async (provider) => {
          asked.push(provider);
          return mollie;
        },
      }),
      { provider: 'mollie', mode: 'backfill' },
    );
    expect(asked).toEqual(['mollie']);
    expect(summary.imported).toBe(1);
  });
});

describe('inputFromSnapshot', () => {
  it('keeps what the strict input accepts and drops the rest', () => {
    const input = inputFromSnapshot(
      snapshotOf('delos', 'd1', {
        reference: 'abc-123',
        kind: 'company',
        companyName: 'ACME S.A.S.',
        email: 'j***@example.com',
        phone: { e164: null, raw: '***1111' },
        locale: 'es-CO',
        metadata: { plan: 'gold', nested: { no: true } },
      }),
    );
    expect(input).toEqual({
      reference: 'abc-123',
      kind: 'company',
      givenName: 'Ana',
      familyName: 'Gómez',
      companyName: 'ACME S.A.S.',
      metadata: { plan: 'gold' },
    });
  });

  it('falls back to the provider-scoped reference when the snapshot has none', () => {
    expect(inputFromSnapshot(snapshotOf('juspay', 'cst_77', { reference: null })).reference).toBe(
      'juspay:cst_77',
    );
  });
});
