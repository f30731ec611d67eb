import type { APIGatewayProxyResult } from 'aws-lambda';
import { PROVIDERS, type ProviderName } from '../../../lib/customer/snapshot.ts';
import { handleCreateCustomer } from '../../../lib/sync/create-customer.ts';
import { runScheduledSync } from '../../../lib/sync/scheduler.ts';
import { processSyncBatch } from '../../../lib/sync/worker.ts';
import { type SyncHarness, schedule, sqsEvent, startSyncHarness } from './harness.ts';

/** Satisfies every provider's create rules (Palomma: CC document, Colombian phone; Juspay: 8+ char reference). */
const customerFor = (reference: string, overrides: Record<string, unknown> = {}) => ({
  reference,
  givenName: 'Ana María',
  familyName: 'Gómez',
  email: `${reference}@example.com`,
  phone: '+573013111111',
  document: { type: 'cc', number: '1020304050' },
  locale: 'en_US',
  ...overrides,
});

let h: SyncHarness;
beforeAll(async () => {
  h = await startSyncHarness();
}, 60_000);
afterAll(async () => h?.stop());
afterEach(async () => {
  await Promise.all(PROVIDERS.map((provider) => h.sandboxes[provider].control.clearFaults()));
  h.queue.drain();
});

let keys = 0;
const newKey = () => `it-${Date.now()}-${++keys}`;
const post = (key: string, body: unknown) =>
  handleCreateCustomer(h.createDeps(), {
    headers: { 'content-type': 'application/json', 'Idempotency-Key': key },
    body: JSON.stringify(body),
  });
const json = (response: APIGatewayProxyResult) => JSON.parse(response.body);

async function createdCustomer(reference: string, providers: readonly ProviderName[] = PROVIDERS) {
  const response = await post(newKey(), { customer: customerFor(reference), providers });
  expect(response.statusCode).toBe(201);
  const body = json(response);
  return {
    customerId: body.customerId as string,
    ids: body.providers as Record<ProviderName, { providerCustomerId: string }>,
  };
}

const sync = async (customerId: string, providers: readonly ProviderName[]) =>
  processSyncBatch(
    h.workerDeps(),
    sqsEvent(providers.map((provider) => ({ customerId, provider, reason: 'manual' }))),
  );

describe('sync flow on DynamoDB Local and the provider sandboxes', () => {
  it('creates a customer at all four providers and stores four snapshots', async () => {
    const { customerId, ids } = await createdCustomer('it-merchant-0001');
    const record = await h.store.getCustomer(customerId);
    expect(record?.links).toHaveLength(4);
    for (const link of record?.links ?? []) {
      expect(link.status).toBe('active');
      expect(link.snapshot?.providerCustomerId).toBe(ids[link.provider].providerCustomerId);
      expect(link.version).toBe(1);
    }
    for (const provider of PROVIDERS) {
      expect(
        await h.sandboxes[provider].control.getCustomer(ids[provider].providerCustomerId),
      ).not.toBeNull();
      const history = await h.store.getHistory({ customerId, provider, limit: 10 });
      expect(history.items).toHaveLength(1);
    }
  });

  it('stores a change made at a provider with one history item, and an unchanged re-sync writes none', async () => {
    const { customerId, ids } = await createdCustomer('it-merchant-0002', ['mollie', 'juspay']);
    await h.sandboxes.mollie.control.patchCustomer(ids.mollie.providerCustomerId, {
      email: 'changed@example.com',
    });
    const first = await sync(customerId, ['mollie', 'juspay']);
    expect(first.batchItemFailures).toEqual([]);
    const record = await h.store.getCustomer(customerId);
    const mollie = record?.links.find((link) => link.provider === 'mollie');
    expect(mollie?.snapshot?.email).toBe('changed@example.com');
    expect(mollie?.version).toBe(2);
    expect((await h.store.getHistory({ customerId, provider: 'mollie', limit: 10 })).items).toHaveLength(2);
    expect((await h.store.getHistory({ customerId, provider: 'juspay', limit: 10 })).items).toHaveLength(1);

    await sync(customerId, ['mollie', 'juspay']);
    expect((await h.store.getHistory({ customerId, provider: 'mollie', limit: 10 })).items).toHaveLength(2);
    expect((await h.store.getHistory({ customerId, provider: 'juspay', limit: 10 })).items).toHaveLength(1);
  });

  it('marks the link gone when the provider deleted the customer, keeping the data', async () => {
    const { customerId, ids } = await createdCustomer('it-merchant-0003', ['palomma', 'mollie']);
    await h.sandboxes.mollie.control.deleteCustomer(ids.mollie.providerCustomerId);
    await h.sandboxes.palomma.control.deleteCustomer(ids.palomma.providerCustomerId);
    const response = await sync(customerId, ['palomma', 'mollie']);
    expect(response.batchItemFailures).toEqual([]);
    const record = await h.store.getCustomer(customerId);
    for (const link of record?.links ?? []) {
      expect(link.status).toBe('gone');
      expect(link.snapshot?.email).toBe('it-merchant-0003@example.com');
    }
    expect(record?.syncStates.every((state) => state.nextDueAt === null)).toBe(true);
  });

  it('fails only the customers of a provider that is down', async () => {
    const { customerId } = await createdCustomer('it-merchant-0004');
    await h.sandboxes.delos.control.addFault({ route: 'get', kind: 'error', status: 503 });
    const event = sqsEvent(
      PROVIDERS.map((provider) => ({ customerId, provider, reason: 'manual' as const })),
    );
    const response = await processSyncBatch(h.workerDeps(), event);
    const delosRecord = event.Records[PROVIDERS.indexOf('delos')];
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: delosRecord?.messageId }]);
    const record = await h.store.getCustomer(customerId);
    const delos = record?.syncStates.find((state) => state.provider === 'delos');
    expect(delos?.consecutiveFailures).toBe(1);
    expect(delos?.lastError?.name).toBe('ProviderUnavailableError');
    expect(record?.syncStates.filter((state) => state.lastError !== null)).toHaveLength(1);
  });

  it('creates one customer per provider for 20 concurrent requests with the same key, all answered alike', async () => {
    const before = await Promise.all(PROVIDERS.map((provider) => h.sandboxes[provider].control.stats()));
    const key = newKey();
    const body = { customer: customerFor('it-merchant-0005'), providers: [...PROVIDERS] };
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(key, body)));
    expect(new Set(responses.map((response) => response.statusCode))).toEqual(new Set([201]));
    expect(new Set(responses.map((response) => response.body)).size).toBe(1);
    const after = await Promise.all(PROVIDERS.map((provider) => h.sandboxes[provider].control.stats()));
    PROVIDERS.forEach((provider, index) => {
      expect({ provider, created: (after[index]?.created ?? 0) - (before[index]?.created ?? 0) }).toEqual({
        provider,
        created: 1,
      });
    });
  });

  it('answers 422 for the same key with another body and creates nothing new', async () => {
    const key = newKey();
    const first = await post(key, { customer: customerFor('it-merchant-0006'), providers: ['mollie'] });
    expect(first.statusCode).toBe(201);
    const before = await h.sandboxes.mollie.control.stats();
    const other = await post(key, {
      customer: customerFor('it-merchant-0006', { givenName: 'Otra' }),
      providers: ['mollie'],
    });
    expect(other.statusCode).toBe(422);
    expect((await h.sandboxes.mollie.control.stats()).created).toBe(before.created);
  });

  it('heals a partial create through the scheduler’s pending-create run', async () => {
    await h.sandboxes.juspay.control.addFault({ route: 'create', kind: 'error', status: 503 });
    const response = await post(newKey(), {
      customer: customerFor('it-merchant-0007'),
      providers: ['mollie', 'juspay'],
    });
    expect(response.statusCode).toBe(202);
    const body = json(response);
    expect(body.providers.juspay.status).toBe('pending');
    expect(body.providers.mollie.status).toBe('created');
    await h.sandboxes.juspay.control.clearFaults();

    // The failed link is due again after its backoff: run the scheduler as of then.
    const later = { now: () => new Date(Date.now() + 10 * 60_000) };
    const summary = await runScheduledSync(
      {
        store: h.store,
        dueLinks: h.dueLinks,
        queue: h.queue,
        adapters: h.adapters,
        clock: later,
        schedule,
        pageSize: 25,
      },
      { provider: 'juspay', mode: 'due' },
    );
    expect(summary.enqueued).toBeGreaterThanOrEqual(1);
    const messages = h.queue.drain().filter((message) => message.customerId === body.customerId);
    expect(messages).toEqual([{ customerId: body.customerId, provider: 'juspay', reason: 'pending-create' }]);
    const worked = await processSyncBatch(h.workerDeps(), sqsEvent(messages));
    expect(worked.batchItemFailures).toEqual([]);
    const link = (await h.store.getCustomer(body.customerId))?.links.find(
      (item) => item.provider === 'juspay',
    );
    expect(link?.status).toBe('active');
    expect(link?.snapshot?.reference).toBe('it-merchant-0007');
  });

  it('imports customers that exist at the provider but are not linked (backfill)', async () => {
    const wire = await h.sandboxes.mollie.control.insertCustomer({
      name: 'Import Me',
      email: 'import.me@example.com',
      locale: 'nl_NL',
      metadata: null,
    });
    const summary = await runScheduledSync(
      {
        store: h.store,
        dueLinks: h.dueLinks,
        queue: h.queue,
        adapters: h.adapters,
        clock: { now: () => new Date() },
        schedule,
        pageSize: 25,
      },
      { provider: 'mollie', mode: 'backfill' },
    );
    expect(summary.imported).toBeGreaterThanOrEqual(1);
    const link = await h.store.findByProviderId('mollie', String(wire.id));
    expect(link?.status).toBe('active');
    const imported = link ? await h.store.getCustomer(link.customerId) : null;
    expect(imported?.links[0]?.snapshot?.email).toBe('import.me@example.com');
    // A second backfill imports nothing new.
    const again = await runScheduledSync(
      {
        store: h.store,
        dueLinks: h.dueLinks,
        queue: h.queue,
        adapters: h.adapters,
        clock: { now: () => new Date() },
        schedule,
        pageSize: 25,
      },
      { provider: 'mollie', mode: 'backfill' },
    );
    expect(again.imported).toBe(0);
  });
});
