import { LINK_READ_BATCH, runSyncPass, type SyncPassDeps } from '../../../lib/cli/sync-pass.ts';
import { fixedClock } from '../../../lib/sync/clock.ts';
import { SyncMetricsRecorder } from '../../../lib/sync/metrics.ts';
import { createSyncSchedule } from '../../../lib/sync/schedule.ts';
import { FakeAdapter, FakeStore, snapshotOf } from '../sync/fakes.ts';

const now = '2024-06-01T00:00:00.000Z';

async function setup(links: number) {
  const store = new FakeStore();
  const mollie = new FakeAdapter('mollie');
  for (let index = 0; index < links; index++) {
    const customerId = `C${index + 1}`;
    const providerCustomerId = `cst_${index + 1}`;
    await store.createCustomer({
      customerId,
      input: { reference: `ref-${customerId}`, kind: 'individual', givenName: 'A', familyName: 'B' },
      providers: [],
      now,
    });
    await store.linkProvider({ customerId, provider: 'mollie', providerCustomerId, now });
    mollie.customers.set(providerCustomerId, snapshotOf('mollie', providerCustomerId));
  }
  const deps: SyncPassDeps = {
    store,
    dueLinks: store,
    adapters: { mollie },
    clock: fixedClock(new Date('2024-06-01T12:00:00.000Z')),
    schedule: createSyncSchedule({
      intervalSeconds: { palomma: 3600, delos: 3600, mollie: 3600, juspay: 3600 },
      retryBaseSeconds: 60,
      maxBackoffSeconds: 3600,
      jitter: 0,
    }),
    metrics: new SyncMetricsRecorder(),
    pageSize: 25,
    createLeaseSeconds: 120,
  };
  const ticks: number[] = [];
  const pass = () =>
    runSyncPass(deps, {
      providers: ['mollie'],
      backfill: false,
      concurrency: 8,
      progress: { grow: () => {}, tick: () => ticks.push(1), stop: () => {} },
    });
  return { store, pass, ticks };
}

describe('runSyncPass', () => {
  it('reads the links of its messages a batch at a time, as the worker reads an SQS batch', async () => {
    const links = 2 * LINK_READ_BATCH + 7;
    const { store, pass, ticks } = await setup(links);

    const [summary] = await pass();

    expect(summary).toMatchObject({
      provider: 'mollie',
      due: links,
      fetched: links,
      changed: links,
      failed: 0,
    });
    expect(store.linkReads).toEqual([LINK_READ_BATCH, LINK_READ_BATCH, 7]);
    expect(ticks).toHaveLength(links);
    expect(store.link('C1', 'mollie')?.version).toBe(1);
    expect(store.link(`C${links}`, 'mollie')?.version).toBe(1);
  });

  it('lets each message of a batch whose read failed read its own link', async () => {
    const links = LINK_READ_BATCH + 3;
    const { store, pass } = await setup(links);
    store.failNext.set(
      'getLinksForSync',
      Object.assign(new Error('throttled'), { name: 'ThrottlingException' }),
    );

    const [summary] = await pass();

    expect(summary).toMatchObject({ fetched: links, changed: links, failed: 0 });
    // The first batch's read failed: its 50 messages read one link each; the second batch read together.
    expect(store.linkReads.filter((targets) => targets === 1)).toHaveLength(LINK_READ_BATCH);
    expect(store.linkReads).toContain(3);
  });
});
