import {
  ProviderAuthError,
  ProviderRateLimitedError,
  ProviderUnavailableError,
} from '../../../lib/http/errors.ts';
import { fixedClock } from '../../../lib/sync/clock.ts';
import { TransientSyncError } from '../../../lib/sync/errors.ts';
import { SyncMetricsRecorder } from '../../../lib/sync/metrics.ts';
import { refreshLink } from '../../../lib/sync/refresh.ts';
import { createSyncSchedule } from '../../../lib/sync/schedule.ts';
import { processSyncMessage } from '../../../lib/sync/worker.ts';
import { FakeAdapter, FakeStore, snapshotOf } from './fakes.ts';

const schedule = createSyncSchedule({
  intervalSeconds: { palomma: 3600, delos: 3600, mollie: 3600, juspay: 3600 },
  retryBaseSeconds: 60,
  maxBackoffSeconds: 3600,
  jitter: 0,
});

async function setup() {
  const store = new FakeStore();
  const adapter = new FakeAdapter('mollie');
  const clock = fixedClock('2024-06-01T12:00:00.000Z');
  const metrics = new SyncMetricsRecorder();
  await store.createCustomer({
    customerId: 'C1',
    input: { reference: 'ref-0001', kind: 'individual' },
    providers: [],
    now: clock.now().toISOString(),
  });
  await store.linkProvider({
    customerId: 'C1',
    provider: 'mollie',
    providerCustomerId: 'cst_1',
    now: '2024-06-01T00:00:00.000Z',
  });
  adapter.customers.set('cst_1', snapshotOf('mollie', 'cst_1'));
  return { store, adapter, clock, metrics, deps: { store, adapter, clock, schedule, metrics } };
}

/** C1's mollie link refreshed the way the worker does it: read the link, then `refreshLink`. */
const refreshC1 = (deps: Awaited<ReturnType<typeof setup>>['deps']) =>
  processSyncMessage(
    { ...deps, adapters: { mollie: deps.adapter }, createLeaseSeconds: 60 },
    { customerId: 'C1', provider: 'mollie', reason: 'manual' },
  );

describe('refreshing a link through the worker', () => {
  it('stores a new snapshot as changed, then an identical re-fetch as unchanged', async () => {
    const { deps, store, metrics } = await setup();
    expect(await refreshC1(deps)).toBe('changed');
    expect(await refreshC1(deps)).toBe('unchanged');
    expect(store.history).toHaveLength(1);
    expect(metrics.total('CustomersSynced', 'mollie')).toBe(2);
    expect(metrics.total('CustomersChanged', 'mollie')).toBe(1);
  });

  it('makes the link due one interval after a success', async () => {
    const { deps, store } = await setup();
    await refreshC1(deps);
    expect(store.sync('C1', 'mollie')?.nextDueAt).toBe('2024-06-01T13:00:00.000Z');
  });

  it('reports an older provider state as stale and keeps the newer one', async () => {
    const { deps, adapter, store } = await setup();
    await refreshC1(deps);
    adapter.customers.set(
      'cst_1',
      snapshotOf('mollie', 'cst_1', { givenName: 'Old', providerUpdatedAt: '2023-01-01T00:00:00.000Z' }),
    );
    expect(await refreshC1(deps)).toBe('stale');
    expect(store.link('C1', 'mollie')?.snapshot?.givenName).toBe('Ana');
  });

  it('marks the link gone on a provider 404 and keeps its data', async () => {
    const { deps, adapter, store, metrics } = await setup();
    await refreshC1(deps);
    adapter.customers.delete('cst_1');
    expect(await refreshC1(deps)).toBe('gone');
    expect(store.link('C1', 'mollie')?.status).toBe('gone');
    expect(store.link('C1', 'mollie')?.snapshot?.givenName).toBe('Ana');
    expect(metrics.total('CustomersGone', 'mollie')).toBe(1);
    // A gone link is not fetched again.
    const calls = adapter.calls.get;
    expect(await refreshC1(deps)).toBe('gone');
    expect(adapter.calls.get).toBe(calls);
  });

  it('records a provider failure on the sync state with a backed-off next due time', async () => {
    const { deps, adapter, store, metrics } = await setup();
    adapter.getErrors.push(
      new ProviderUnavailableError({ provider: 'mollie', operation: 'getCustomer', status: 503 }),
    );
    // Retryable: recorded, and thrown so SQS redelivers the message.
    await expect(refreshC1(deps)).rejects.toBeInstanceOf(TransientSyncError);
    const sync = store.sync('C1', 'mollie');
    expect(sync?.consecutiveFailures).toBe(1);
    expect(sync?.lastError?.name).toBe('ProviderUnavailableError');
    expect(sync?.nextDueAt).toBe('2024-06-01T12:01:00.000Z');
    expect(metrics.total('SyncFailures', 'mollie')).toBe(1);

    adapter.getErrors.push(
      new ProviderAuthError({ provider: 'mollie', operation: 'getCustomer', status: 401 }),
    );
    expect(await refreshC1(deps)).toBe('failed');
    expect(store.sync('C1', 'mollie')?.nextDueAt).toBe('2024-06-01T12:02:00.000Z');
  });
});

describe('refreshLink', () => {
  it('returns the provider error and its Retry-After with a failure', async () => {
    const { deps, adapter, store } = await setup();
    adapter.getErrors.push(
      new ProviderRateLimitedError({
        provider: 'mollie',
        operation: 'getCustomer',
        status: 429,
        retryAfterSeconds: 600,
      }),
    );
    const report = await refreshLink(deps, { customerId: 'C1', providerCustomerId: 'cst_1' });
    expect(report.outcome).toBe('failed');
    expect(report.error?.retryable).toBe(true);
    expect(report.retryAfterSeconds).toBe(600);
    expect(store.sync('C1', 'mollie')?.nextDueAt).toBe('2024-06-01T12:10:00.000Z');
  });

  it('lets store failures propagate instead of recording them as the customer’s', async () => {
    const { deps, store } = await setup();
    store.failNext.set(
      'writeSnapshot',
      Object.assign(new Error('throttled'), { name: 'ThrottlingException' }),
    );
    await expect(refreshLink(deps, { customerId: 'C1', providerCustomerId: 'cst_1' })).rejects.toThrow(
      'throttled',
    );
    expect(store.sync('C1', 'mollie')?.consecutiveFailures).toBe(0);
  });

  it('refuses a snapshot of another provider than the adapter’s', async () => {
    const { deps, adapter } = await setup();
    adapter.customers.set('cst_1', snapshotOf('juspay', 'cst_1'));
    await expect(refreshLink(deps, { customerId: 'C1', providerCustomerId: 'cst_1' })).rejects.toThrow(
      /juspay snapshot/,
    );
  });
});
