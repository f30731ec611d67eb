/**
 * Due runs on slots, on DynamoDB Local: with a refresh interval of a day and hourly due runs, a run plans
 * the links whose slots came due in its last three periods, plus the links held by due time (new,
 * pending, failing), and reads no other link.
 */
import { ulid } from 'ulid';
import { CustomerStore } from '../../../lib/store/customer-store.ts';
import { DueLinkReader } from '../../../lib/store/due-links.ts';
import { slotOf } from '../../../lib/store/keys.ts';
import { InMemorySyncQueue } from '../../../lib/sync/queue.ts';
import { runScheduledSync } from '../../../lib/sync/scheduler.ts';
import { createTestTable, type TestTable } from '../../helpers/dynamodb.ts';
import { dailySlotSchedule, dayFraction } from '../../helpers/slots.ts';
import { instrumentedStore, linkedCustomer, makeInput, makeSnapshot } from '../store/store-fixtures.ts';

const schedule = dailySlotSchedule();

describe('due runs on slots', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await createTestTable('slot-runs');
  });
  afterAll(async () => table.drop());

  /** A linked customer synced once at `syncedAt`, so due next on its slot. */
  async function syncedCustomer(store: CustomerStore, syncedAt: Date) {
    const { customerId, providerCustomerId } = await linkedCustomer(store, { now: syncedAt.toISOString() });
    await store.writeSnapshot({
      customerId,
      snapshot: makeSnapshot({ providerCustomerId, fetchedAt: syncedAt.toISOString() }),
      now: syncedAt.toISOString(),
      nextDueAt: schedule.nextDueAfterSuccess('palomma', syncedAt, customerId),
    });
    return customerId;
  }

  it('plans the slots of the last three hours and the links held by due time, reading no other link', async () => {
    const reader = instrumentedStore(table.tableName);
    const { store } = reader;
    const syncedAt = new Date('2024-06-01T00:00:00.000Z');
    const runAt = new Date('2024-06-02T15:00:00.000Z');
    const inWindow = (customerId: string) => {
      const slot = slotOf(customerId);
      return slot >= dayFraction(runAt) - 3 / 24 && slot < dayFraction(runAt);
    };
    try {
      const synced = await Promise.all(Array.from({ length: 96 }, () => syncedCustomer(store, syncedAt)));
      const dueOnSlot = synced.filter(inWindow);
      // One synced early again (by a webhook, say): its slot comes up, its due time is tomorrow's.
      const early = dueOnSlot[0];
      if (!early) throw new Error('no customer slotted in the window; the test needs more customers');
      await store.writeSnapshot({
        customerId: early,
        snapshot: makeSnapshot({
          providerCustomerId: (await store.getCustomer(early))?.links[0]?.providerCustomerId ?? '',
          fetchedAt: '2024-06-02T13:00:00.000Z',
        }),
        now: '2024-06-02T13:00:00.000Z',
        nextDueAt: schedule.nextDueAfterSuccess('palomma', new Date('2024-06-02T13:00:00.000Z'), early),
      });
      // Outside the window: one failing and due again before the run, one failing and not yet due.
      const [failing, failingLater] = synced.filter((id) => !inWindow(id));
      if (!failing || !failingLater) throw new Error('the test needs customers outside the window');
      for (const [customerId, nextDueAt] of [
        [failing, '2024-06-02T14:50:00.000Z'],
        [failingLater, '2024-06-02T15:30:00.000Z'],
      ] as const) {
        await store.recordSyncFailure({
          customerId,
          provider: 'palomma',
          error: { name: 'ProviderUnavailableError', message: 'HTTP 503' },
          now: '2024-06-02T14:40:00.000Z',
          nextDueAt,
        });
      }
      // New today: one linked (due now), one whose create at the provider is pending.
      const linked = await linkedCustomer(store, { now: '2024-06-02T14:00:00.000Z' });
      const pending = ulid();
      await store.createCustomer({
        customerId: pending,
        input: makeInput(),
        providers: ['palomma'],
        now: '2024-06-02T14:30:00.000Z',
      });

      reader.sent.length = 0;
      const queue = new InMemorySyncQueue();
      const summary = await runScheduledSync(
        {
          store,
          dueLinks: reader.dueLinks,
          queue,
          adapters: {},
          clock: { now: () => runAt },
          schedule,
          pageSize: 25,
        },
        { provider: 'palomma', mode: 'due' },
      );

      const expected = [
        ...dueOnSlot.filter((id) => id !== early).map((customerId) => ({ customerId, reason: 'scheduled' })),
        { customerId: failing, reason: 'scheduled' },
        { customerId: linked.customerId, reason: 'scheduled' },
        { customerId: pending, reason: 'pending-create' },
      ];
      const byId = (a: { customerId: string }, b: { customerId: string }) =>
        a.customerId.localeCompare(b.customerId);
      expect(queue.messages.map(({ customerId, reason }) => ({ customerId, reason })).sort(byId)).toEqual(
        expected.sort(byId),
      );
      expect(summary.enqueued).toBe(expected.length);

      // It read the sync states of the window's links only, by the due index: of the 96, the ones slotted
      // in the window; and the new links too where their (random) slots fall in it, since the slot walk
      // reads every link of its slots before it leaves those held by due time to that entry.
      const slotted = [...synced, linked.customerId, pending].filter(inWindow);
      const readKeys = reader.sent
        .filter((command) => command.name === 'BatchGetItemCommand')
        .flatMap((command) =>
          Object.values(command.input.RequestItems as Record<string, { Keys: { pk: string }[] }>).flatMap(
            (request) => request.Keys.map((key) => key.pk.replace('CUSTOMER#', '')),
          ),
        );
      expect(readKeys.sort()).toEqual(slotted.sort());
      expect(new Set(reader.sent.map((command) => command.name))).toEqual(
        new Set(['QueryCommand', 'BatchGetItemCommand']),
      );
    } finally {
      reader.destroy();
    }
  });

  it('takes a link out of the due index by due time once it syncs, back onto its slot', async () => {
    const store = new CustomerStore({ doc: table.doc, tableName: table.tableName, historyRetentionDays: 30 });
    const dueLinks = new DueLinkReader({ doc: table.doc, tableName: table.tableName });
    const { customerId, providerCustomerId } = await linkedCustomer(store, {
      now: '2024-06-05T00:00:00.000Z',
    });
    const queue = new InMemorySyncQueue();
    const plan = async (at: string) => {
      queue.drain();
      await runScheduledSync(
        { store, dueLinks, queue, adapters: {}, clock: { now: () => new Date(at) }, schedule, pageSize: 25 },
        { provider: 'palomma', mode: 'due' },
      );
      return queue.messages.filter((message) => message.customerId === customerId).length;
    };
    // New: due at once, whatever its slot.
    expect(await plan('2024-06-05T00:10:00.000Z')).toBe(1);
    const syncedAt = new Date('2024-06-05T00:20:00.000Z');
    const nextDueAt = schedule.nextDueAfterSuccess('palomma', syncedAt, customerId);
    await store.writeSnapshot({
      customerId,
      snapshot: makeSnapshot({ providerCustomerId, fetchedAt: syncedAt.toISOString() }),
      now: syncedAt.toISOString(),
      nextDueAt,
    });
    // Synced: not before its slot, then by it.
    expect(await plan('2024-06-05T00:30:00.000Z')).toBe(0);
    expect(await plan(new Date(Date.parse(nextDueAt) + 60_000).toISOString())).toBe(1);
  });
});
