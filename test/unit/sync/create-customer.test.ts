import type { APIGatewayProxyResult } from 'aws-lambda';
import { ProviderRejectedError, ProviderUnavailableError } from '../../../lib/http/errors.ts';
import { fixedClock } from '../../../lib/sync/clock.ts';
import {
  type CreateCustomerDeps,
  handleCreateCustomer,
  ruleMessage,
} from '../../../lib/sync/create-customer.ts';
import { createSyncSchedule } from '../../../lib/sync/schedule.ts';
import { FakeAdapter, FakeStore } from './fakes.ts';
import { createIdempotencyTestTable, type IdempotencyTestTable } from './idempotency-table.ts';

const schedule = createSyncSchedule({
  intervalSeconds: { palomma: 3600, delos: 3600, mollie: 3600, juspay: 3600 },
  retryBaseSeconds: 60,
  maxBackoffSeconds: 3600,
  jitter: 0,
});

const customer = {
  reference: 'merchant-0001',
  givenName: 'Ana',
  familyName: 'Gómez',
  email: 'ana@example.com',
  phone: '+573013111111',
};

let table: IdempotencyTestTable;
beforeAll(async () => {
  table = await createIdempotencyTestTable();
});
afterAll(async () => table.drop());

let keyCounter = 0;
const newKey = () => `key-${Date.now()}-${++keyCounter}`;

function setup(overrides: Partial<CreateCustomerDeps> = {}) {
  const store = new FakeStore();
  const mollie = new FakeAdapter('mollie');
  const delos = new FakeAdapter('delos', { capabilities: { createIdempotency: 'none', canList: false } });
  const juspay = new FakeAdapter('juspay', {
    capabilities: { createIdempotency: 'unique-reference' },
    requiredCreateFields: [
      { field: 'reference', rule: 'at least 8 characters', check: (input) => input.reference.length >= 8 },
      {
        field: 'phone',
        rule: 'required (Juspay mobile number)',
        check: (input) => input.phone !== undefined,
      },
    ],
  });
  let ids = 0;
  const deps: CreateCustomerDeps = {
    store,
    adapters: { mollie, delos, juspay },
    clock: fixedClock('2024-06-01T12:00:00.000Z'),
    schedule,
    idempotency: { persistenceStore: table.persistence(), ttlSeconds: 3600, inProgressWaitMs: 5000 },
    createLeaseSeconds: 120,
    newId: () => `CUST${++ids}`,
    ...overrides,
  };
  const post = (key: string | undefined, body: unknown, headers: Record<string, string> = {}) =>
    handleCreateCustomer(deps, {
      headers: {
        'content-type': 'application/json',
        ...(key === undefined ? {} : { 'Idempotency-Key': key }),
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { store, mollie, delos, juspay, deps, post };
}

const json = (response: APIGatewayProxyResult) => JSON.parse(response.body);

describe('create-customer validation', () => {
  it('answers one 400 listing every problem before calling any provider', async () => {
    const { post, mollie, juspay, store } = setup();
    const response = await post(undefined, {
      customer: { reference: 'short', phone: '3013111111', email: 'nope' },
      providers: ['juspay', 'mollie', 'stripe'],
      extra: true,
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    const fields = json(response).errors.map((error: { field: string }) => error.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'header.idempotency-key',
        'extra',
        'customer.phone',
        'customer.email',
        'providers.2',
      ]),
    );
    expect(mollie.calls.create + juspay.calls.create).toBe(0);
    expect(store.profiles.size).toBe(0);
  });

  it('names each provider rule the customer breaks', async () => {
    const { post } = setup();
    const response = await post(newKey(), { customer: { reference: 'short' }, providers: ['juspay'] });
    expect(response.statusCode).toBe(400);
    expect(json(response).errors).toEqual([
      { field: 'providers.juspay', message: 'customer.reference must be at least 8 characters' },
      { field: 'providers.juspay', message: 'customer.phone is required (Juspay mobile number)' },
    ]);
  });

  it('rejects a malformed Idempotency-Key and a body that is not JSON', async () => {
    const { post } = setup();
    const bad = await post('has spaces in it', { customer, providers: ['mollie'] });
    expect(json(bad).errors).toEqual([expect.objectContaining({ field: 'header.idempotency-key' })]);
    const notJson = await post(newKey(), '{oops');
    expect(notJson.statusCode).toBe(400);
    expect(json(notJson).errors).toEqual([{ field: 'body', message: 'malformed JSON' }]);
    const wrongType = await post(newKey(), JSON.stringify({ customer, providers: ['mollie'] }), {
      'content-type': 'text/plain',
    });
    expect(wrongType.statusCode).toBe(415);
  });

  it('rejects duplicated or empty provider lists', async () => {
    const { post } = setup();
    expect(json(await post(newKey(), { customer, providers: [] })).errors[0].field).toBe('providers');
    expect(json(await post(newKey(), { customer, providers: ['mollie', 'mollie'] })).errors[0]).toEqual({
      field: 'providers',
      message: 'must not list a provider twice',
    });
  });
});

describe('create-customer', () => {
  it('creates at every provider, stores profile, links and first snapshots, and answers 201', async () => {
    const { post, store } = setup();
    const response = await post(newKey(), { customer, providers: ['mollie', 'delos', 'juspay'] });
    expect(response.statusCode).toBe(201);
    expect(response.headers?.location).toBe('/customers/CUST1');
    const body = json(response);
    expect(body).toEqual({
      customerId: 'CUST1',
      reference: 'merchant-0001',
      providers: {
        delos: { status: 'created', providerCustomerId: 'del_1' },
        juspay: { status: 'created', providerCustomerId: 'jus_1' },
        mollie: { status: 'created', providerCustomerId: 'mol_1' },
      },
    });
    const record = await store.getCustomer('CUST1');
    expect(record?.profile.input).toMatchObject(customer);
    expect(
      record?.links.map((link) => [link.provider, link.status, link.snapshot?.providerCustomerId]),
    ).toEqual(
      expect.arrayContaining([
        ['mollie', 'active', 'mol_1'],
        ['delos', 'active', 'del_1'],
        ['juspay', 'active', 'jus_1'],
      ]),
    );
    expect(store.history).toHaveLength(3);
  });

  it('returns the same result for the same key and body without calling providers again', async () => {
    const { post, mollie, delos } = setup();
    const key = newKey();
    const first = await post(key, { customer, providers: ['mollie', 'delos'] });
    // Provider order and key order do not change the request.
    const second = await post(key, { providers: ['delos', 'mollie'], customer: { ...customer } });
    expect(second.statusCode).toBe(201);
    expect(second.body).toBe(first.body);
    expect(second.headers?.['idempotent-replayed']).toBe('true');
    expect(mollie.calls.create + delos.calls.create).toBe(2);
  });

  it('answers 422 for the same key with another body', async () => {
    const { post, mollie } = setup();
    const key = newKey();
    await post(key, { customer, providers: ['mollie'] });
    const response = await post(key, {
      customer: { ...customer, givenName: 'Other' },
      providers: ['mollie'],
    });
    expect(response.statusCode).toBe(422);
    expect(mollie.calls.create).toBe(1);
  });

  it('answers 202 with per-provider results on a partial failure, and a retry completes only the missing ones', async () => {
    const { post, mollie, delos, juspay, store } = setup();
    mollie.createErrors.push(
      new ProviderUnavailableError({ provider: 'mollie', operation: 'createCustomer', status: 503 }),
    );
    juspay.createErrors.push(
      new ProviderRejectedError({
        provider: 'juspay',
        operation: 'createCustomer',
        status: 400,
        providerMessage: 'bad phone',
      }),
    );
    const key = newKey();
    const first = await post(key, { customer, providers: ['mollie', 'delos', 'juspay'] });
    expect(first.statusCode).toBe(202);
    const body = json(first);
    expect(body.providers.delos).toEqual({ status: 'created', providerCustomerId: 'del_1' });
    expect(body.providers.mollie).toMatchObject({
      status: 'pending',
      error: { name: 'ProviderUnavailableError' },
    });
    expect(body.providers.juspay).toMatchObject({
      status: 'failed',
      error: { name: 'ProviderRejectedError' },
    });
    expect(store.link('CUST1', 'mollie')?.status).toBe('pending');
    expect(store.sync('CUST1', 'mollie')?.consecutiveFailures).toBe(1);

    // A failed attempt released its lease: the retry may try again at once.
    const retry = await post(key, { customer, providers: ['mollie', 'delos', 'juspay'] });
    expect(retry.statusCode).toBe(201);
    expect(json(retry).providers).toEqual({
      delos: { status: 'created', providerCustomerId: 'del_1' },
      juspay: { status: 'created', providerCustomerId: 'jus_1' },
      mollie: { status: 'created', providerCustomerId: 'mol_1' },
    });
    expect(delos.calls.create).toBe(1);
    // Mollie got the same idempotency key both times.
    expect(new Set(mollie.createKeys).size).toBe(1);
  });
});

describe('create-customer concurrency and conflicts', () => {
  it('creates nothing twice for concurrent duplicates, and answers them all alike', async () => {
    const { post, mollie, delos, store } = setup();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    mollie.createGate = gate;
    delos.createGate = gate;
    const key = newKey();
    const requests = Array.from({ length: 8 }, () => post(key, { customer, providers: ['mollie', 'delos'] }));
    setTimeout(release, 200);
    const responses = await Promise.all(requests);
    expect(new Set(responses.map((response) => response.statusCode))).toEqual(new Set([201]));
    expect(new Set(responses.map((response) => response.body)).size).toBe(1);
    expect(mollie.calls.create).toBe(1);
    expect(delos.calls.create).toBe(1);
    expect(store.profiles.size).toBe(1);
  });

  it('answers 409 with Retry-After when the first request outlasts the wait', async () => {
    const { post, mollie } = setup({
      idempotency: { persistenceStore: table.persistence(), ttlSeconds: 3600, inProgressWaitMs: 100 },
    });
    let release: () => void = () => {};
    mollie.createGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const key = newKey();
    const first = post(key, { customer, providers: ['mollie'] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await post(key, { customer, providers: ['mollie'] });
    expect(second.statusCode).toBe(409);
    expect(second.headers?.['retry-after']).toBe('2');
    release();
    expect((await first).statusCode).toBe(201);
  });

  it('answers 409 when the reference belongs to a customer with another body', async () => {
    const { post, mollie } = setup();
    await post(newKey(), { customer, providers: ['mollie'] });
    const response = await post(newKey(), {
      customer: { ...customer, email: 'other@example.com' },
      providers: ['mollie'],
    });
    expect(response.statusCode).toBe(409);
    expect(json(response).errors).toEqual([
      { field: 'customer.reference', message: 'already used by another customer' },
    ]);
    expect(mollie.calls.create).toBe(1);
  });

  it('answers the existing customer for the same body under a new key', async () => {
    const { post, mollie } = setup();
    const first = json(await post(newKey(), { customer, providers: ['mollie'] }));
    const again = await post(newKey(), { customer, providers: ['mollie'] });
    expect(again.statusCode).toBe(201);
    expect(json(again)).toEqual(first);
    expect(mollie.calls.create).toBe(1);
  });

  it('answers 409 when the existing customer lacks a requested provider', async () => {
    const { post } = setup();
    await post(newKey(), { customer, providers: ['mollie'] });
    const response = await post(newKey(), { customer, providers: ['mollie', 'delos'] });
    expect(response.statusCode).toBe(409);
    expect(json(response).detail).toContain('/links');
  });

  it('reports a store failure around one provider as pending, not as a 500', async () => {
    const { post, store } = setup();
    store.failNext.set(
      'completePendingLink',
      Object.assign(new Error('throttled'), { name: 'ThrottlingException' }),
    );
    const response = await post(newKey(), { customer, providers: ['mollie'] });
    expect(response.statusCode).toBe(202);
    expect(json(response).providers.mollie).toEqual({
      status: 'pending',
      error: { name: 'ThrottlingException', message: 'internal error' },
    });
  });
});

describe('ruleMessage', () => {
  it('reads as a sentence whatever grammar the rule uses', () => {
    expect(ruleMessage('reference', 'at least 8 characters')).toBe(
      'customer.reference must be at least 8 characters',
    );
    expect(ruleMessage('phone', 'required (Juspay mobile number)')).toBe(
      'customer.phone is required (Juspay mobile number)',
    );
    expect(ruleMessage('document', 'must be a CC or NIT')).toBe('customer.document must be a CC or NIT');
  });
});
