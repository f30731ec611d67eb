import type { CustomerInput } from '../../../lib/customer/input.ts';
import type { CustomerSnapshot } from '../../../lib/customer/snapshot.ts';
import { ProviderUnavailableError } from '../../../lib/http/errors.ts';
import type { ProviderLink } from '../../../lib/store/types.ts';
import {
  createAtProvider,
  needsCreateReconcile,
  reconcileCreatedAfter,
} from '../../../lib/sync/provider-create.ts';
import { createSyncSchedule } from '../../../lib/sync/schedule.ts';
import { FakeAdapter, FakeStore } from './fakes.ts';

const schedule = createSyncSchedule({
  intervalSeconds: { palomma: 3600, delos: 3600, mollie: 3600, juspay: 3600 },
  retryBaseSeconds: 60,
  maxBackoffSeconds: 3600,
  jitter: 0,
});
const input: CustomerInput = {
  reference: 'merchant-0001',
  kind: 'individual',
  givenName: 'Ana',
  familyName: 'Gómez',
};
const NOW = '2024-06-01T12:00:00.000Z';

/** Delos-like: no create idempotency; finds a customer an earlier create made with the same key. */
class SearchableAdapter extends FakeAdapter {
  readonly finds: { key: string; createdAfter: string }[] = [];
  readonly findErrors: Error[] = [];
  readonly #made = new Map<string, string>();
  constructor() {
    super('delos', { capabilities: { createIdempotency: 'none' } });
  }
  override async createCustomer(input: CustomerInput, idempotencyKey: string): Promise<CustomerSnapshot> {
    const created = await super.createCustomer(input, idempotencyKey);
    this.#made.set(idempotencyKey, created.providerCustomerId);
    return created;
  }
  async findCreatedCustomer(
    _input: CustomerInput,
    idempotencyKey: string,
    options: { createdAfter: string },
  ): Promise<CustomerSnapshot | null> {
    this.finds.push({ key: idempotencyKey, createdAfter: options.createdAfter });
    const error = this.findErrors.shift();
    if (error) throw error;
    const id = this.#made.get(idempotencyKey);
    return id === undefined ? null : this.getCustomer(id);
  }
}

const link = (overrides: Partial<ProviderLink> = {}): ProviderLink => ({
  customerId: 'C1',
  provider: 'delos',
  providerCustomerId: null,
  status: 'pending',
  snapshot: null,
  version: 0,
  linkedAt: NOW,
  goneAt: null,
  createIdempotencyKey: 'k-1',
  ...overrides,
});

describe('needsCreateReconcile', () => {
  const delos = new SearchableAdapter();

  it('reconciles a provider without create idempotency once an earlier attempt claimed the link', () => {
    expect(needsCreateReconcile(delos, link({ createAttempted: true }))).toBe(true);
  });

  it('skips the search on the first attempt, for linked links and for providers with idempotency', () => {
    expect(needsCreateReconcile(delos, link())).toBe(false);
    expect(needsCreateReconcile(delos, link({ createAttempted: true, providerCustomerId: 'del_1' }))).toBe(
      false,
    );
    const mollie = new FakeAdapter('mollie');
    expect(needsCreateReconcile(mollie, link({ createAttempted: true }))).toBe(false);
    const blind = new FakeAdapter('delos', { capabilities: { createIdempotency: 'none' } });
    expect(needsCreateReconcile(blind, link({ createAttempted: true }))).toBe(false);
  });

  it('searches from before the pending link was made, allowing for clock skew', () => {
    expect(Date.parse(reconcileCreatedAfter(link()))).toBeLessThan(Date.parse(NOW));
  });
});

describe('createAtProvider without provider idempotency', () => {
  async function setup() {
    const store = new FakeStore();
    const adapter = new SearchableAdapter();
    await store.createCustomer({
      customerId: 'C1',
      input,
      providers: ['delos'],
      createIdempotencyKeys: { delos: 'k-1' },
      now: NOW,
    });
    let clock = Date.parse(NOW);
    let attempts = 0;
    const deps = {
      store,
      adapter,
      clock: { now: () => new Date(clock) },
      schedule,
      leaseSeconds: 60,
      newAttemptId: () => `attempt-${++attempts}`,
    };
    const attempt = async () => {
      const current = (await store.getCustomer('C1'))?.links[0];
      if (!current) throw new Error('no link');
      return createAtProvider(deps, { customerId: 'C1', input, link: current, consecutiveFailures: 0 });
    };
    /** The first attempt creates at the provider, then dies before the store write; its lease runs out. */
    const crashAfterCreate = async () => {
      store.failNext.set('completePendingLink', new Error('crash'));
      await expect(attempt()).rejects.toThrow('crash');
      clock += 61_000;
    };
    return { store, adapter, attempt, crashAfterCreate };
  }

  it('creates without searching on the first attempt', async () => {
    const { adapter, attempt } = await setup();
    expect((await attempt()).result).toEqual({ status: 'created', providerCustomerId: 'del_1' });
    expect(adapter.finds).toEqual([]);
    expect(adapter.calls.create).toBe(1);
  });

  it('adopts the customer an earlier attempt made instead of creating a second one', async () => {
    const { store, adapter, attempt, crashAfterCreate } = await setup();
    await crashAfterCreate();

    expect((await attempt()).result).toEqual({ status: 'created', providerCustomerId: 'del_1' });
    expect(adapter.calls.create).toBe(1);
    expect(adapter.finds).toEqual([{ key: 'k-1', createdAfter: reconcileCreatedAfter(link()) }]);
    expect((await store.getCustomer('C1'))?.links[0]).toMatchObject({
      status: 'active',
      providerCustomerId: 'del_1',
    });
  });

  it('creates after an earlier attempt that never reached the provider', async () => {
    const { adapter, attempt } = await setup();
    adapter.createErrors.push(
      new ProviderUnavailableError({ provider: 'delos', operation: 'createCustomer', status: 503 }),
    );
    expect((await attempt()).result.status).toBe('pending');

    expect((await attempt()).result).toEqual({ status: 'created', providerCustomerId: 'del_1' });
    expect(adapter.finds).toHaveLength(1);
  });

  it('fails the attempt, creating nothing, when the provider cannot be searched', async () => {
    const { store, adapter, attempt, crashAfterCreate } = await setup();
    await crashAfterCreate();
    adapter.findErrors.push(
      new ProviderUnavailableError({ provider: 'delos', operation: 'listCustomers', status: 503 }),
    );

    const outcome = await attempt();
    expect(outcome).toMatchObject({ result: { status: 'pending' }, retryable: true });
    expect(adapter.calls.create).toBe(1);
    expect((await store.getCustomer('C1'))?.links[0]?.providerCustomerId).toBeNull();
    // The failed search released the lease: the next attempt searches again and adopts.
    expect((await attempt()).result).toEqual({ status: 'created', providerCustomerId: 'del_1' });
    expect(adapter.calls.create).toBe(1);
  });
});
