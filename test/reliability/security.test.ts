/**
 * Authentication at the edge of the running product, over real HTTP through the local gateway:
 * API-key routes without a key, with a wrong key and with another stage's key; webhooks with bad,
 * missing, replayed or misdirected credentials. Each refusal must leave everything untouched: no store
 * call at all (not even a read), both tables byte-identical, nothing queued, no provider request.
 */
import { API_ROUTES } from '../../lib/api/routes.ts';
import { PROVIDERS, type ProviderName } from '../../lib/customer/snapshot.ts';
import type { CustomerStoreApi } from '../../lib/store/types.ts';
import { countScenario } from '../helpers/reliability/counters.ts';
import {
  type CreatedCustomer,
  createCustomer,
  customerInput,
  idAt,
  postWebhook,
  type SignedWebhook,
  signedWebhook,
} from '../helpers/reliability/fixtures.ts';
import { problemViolation } from '../helpers/reliability/http.ts';
import { type ReliabilityStack, startReliabilityStack } from '../helpers/reliability/stack.ts';

let storeCalls = 0;
function countingStore(store: CustomerStoreApi): CustomerStoreApi {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        storeCalls++;
        return Reflect.apply(value, target, args);
      };
    },
  });
}

let stack: ReliabilityStack;
let otherStage: ReliabilityStack;
let customer: CreatedCustomer;

beforeAll(async () => {
  [stack, otherStage] = await Promise.all([
    startReliabilityStack({ tablePrefix: 'rel-sec', stage: 'dev', wrapStore: countingStore }),
    startReliabilityStack({ tablePrefix: 'rel-sec-staging', stage: 'staging', providers: ['mollie'] }),
  ]);
  customer = await createCustomer(stack, `sec-${Date.now()}`, PROVIDERS);
  await stack.settle();
}, 60_000);
afterAll(async () => Promise.all([stack?.stop(), otherStage?.stop()]));
beforeEach(() => countScenario());

/** Everything a refused request must not touch. */
async function untouched(): Promise<unknown> {
  await stack.settle();
  return {
    storeCalls,
    sent: stack.sent.length,
    tables: await stack.digest(),
    providers: await Promise.all(
      PROVIDERS.map(async (provider) => (await stack.sandboxes[provider].control.stats()).requests),
    ),
  };
}

async function expectProblem(response: Response, statuses: number[]): Promise<void> {
  const body = await response.text();
  const headers = Object.fromEntries(response.headers.entries());
  const violation = problemViolation({ status: response.status, headers, body });
  expect({ status: statuses.includes(response.status) ? 'expected' : response.status, violation }).toEqual({
    status: 'expected',
    violation: null,
  });
}

describe('API key routes', () => {
  /** A request per API-key route that, with the right key, would read or write. */
  function requests(): Array<{ name: string; path: string; init: RequestInit }> {
    const id = customer.customerId;
    const json = { 'content-type': 'application/json' };
    return API_ROUTES.filter((route) => route.auth === 'api-key').map((route) => {
      const path = route.path.replace('{id}', id);
      switch (route.operationId) {
        case 'createCustomer':
          return {
            name: 'POST /customers',
            path,
            init: {
              method: 'POST',
              headers: { ...json, 'idempotency-key': `sec-${Date.now()}` },
              body: JSON.stringify({
                customer: customerInput(`sec-new-${Date.now()}`),
                providers: ['mollie'],
              }),
            },
          };
        case 'linkProviderCustomer':
          return {
            name: `POST ${route.path}`,
            path,
            init: {
              method: 'POST',
              headers: json,
              body: JSON.stringify({ provider: 'mollie', providerCustomerId: 'cst_sec' }),
            },
          };
        case 'getCustomerHistory':
          return { name: `GET ${route.path}`, path: `${path}?provider=mollie`, init: { method: 'GET' } };
        default:
          return { name: `${route.method} ${route.path}`, path, init: { method: route.method } };
      }
    });
  }

  it('covers every API-key route, and each one works with the right key (so the refusals below can fail)', async () => {
    const routes = requests();
    expect(routes.map((route) => route.name).sort()).toEqual(
      API_ROUTES.filter((route) => route.auth === 'api-key')
        .map((route) => `${route.method} ${route.path}`)
        .sort(),
    );
    const reads = routes.filter((route) => route.init.method === 'GET');
    for (const route of reads) expect((await stack.api(route.path, route.init)).status).toBe(200);
  });

  const wrongKeys: Array<[string, () => string | null]> = [
    ['no key', () => null],
    ['an empty key', () => ''],
    ['a wrong key', () => 'wrong-key-wrong-key-wrong-key'],
    ['the key in another case', () => stack.apiKey.toUpperCase()],
    ['the key with a suffix', () => `${stack.apiKey}x`],
    ['a prefix of the key', () => stack.apiKey.slice(0, -1)],
    ["another stage's key", () => otherStage.apiKey],
  ];

  it.each(wrongKeys)(
    'refuses every API-key route with %s: 403, nothing read or written',
    async (_name, key) => {
      const before = await untouched();
      for (const route of requests()) {
        const response = await stack.api(route.path, { ...route.init, key: key() });
        await expectProblem(response, [401, 403]);
      }
      expect(await untouched()).toEqual(before);
    },
  );

  it('does not take the key from the query string or another header', async () => {
    const before = await untouched();
    const attempts = [
      stack.api(`/customers?x-api-key=${encodeURIComponent(stack.apiKey)}`, { key: null }),
      stack.api('/customers', { key: null, headers: { authorization: `Bearer ${stack.apiKey}` } }),
      stack.api('/customers', { key: null, headers: { 'x-api-keys': stack.apiKey } }),
    ];
    for (const response of await Promise.all(attempts)) await expectProblem(response, [401, 403]);
    expect(await untouched()).toEqual(before);
  });

  it("refuses this stage's key at another stage", async () => {
    const response = await otherStage.api('/customers', { key: stack.apiKey });
    await expectProblem(response, [401, 403]);
  });
});

describe('webhooks', () => {
  const genuine = (provider: ProviderName, eventId = `sec-evt-${provider}-${Date.now()}`, at?: Date) =>
    signedWebhook(stack, provider, idAt(customer, provider), eventId, at);
  const tamper = (
    webhook: SignedWebhook,
    headers: Record<string, string | null>,
    body?: string,
  ): SignedWebhook => {
    const next: Record<string, string> = { ...webhook.headers };
    for (const [name, value] of Object.entries(headers)) {
      if (value === null) delete next[name];
      else next[name] = value;
    }
    return { headers: next, body: body ?? webhook.body };
  };
  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const hex64 = 'a'.repeat(64);
  const tenMinutesAgo = () => new Date(Date.now() - 600_000);
  const tenMinutesAhead = () => new Date(Date.now() + 600_000);

  const refusals: Array<[string, ProviderName, () => SignedWebhook]> = [
    ['palomma: a bad signature', 'palomma', () => tamper(genuine('palomma'), { 'x-signature': hex64 })],
    ['palomma: no signature', 'palomma', () => tamper(genuine('palomma'), { 'x-signature': null })],
    ['palomma: no signed data', 'palomma', () => tamper(genuine('palomma'), { 'x-encoded-data': null })],
    [
      'palomma: data changed after signing',
      'palomma',
      () => {
        const original = genuine('palomma');
        const forged = Buffer.from(
          JSON.stringify({ webhookId: 'forged', event: { customerId: idAt(customer, 'palomma') } }),
        ).toString('base64');
        return tamper(original, { 'x-encoded-data': forged });
      },
    ],
    [
      'palomma: replayed, signed ten minutes ago',
      'palomma',
      () => genuine('palomma', undefined, tenMinutesAgo()),
    ],
    ['palomma: dated ten minutes ahead', 'palomma', () => genuine('palomma', undefined, tenMinutesAhead())],
    [
      'mollie: a bad signature',
      'mollie',
      () => tamper(genuine('mollie'), { 'x-mollie-signature': `sha256=${hex64}` }),
    ],
    [
      'mollie: no signature on a JSON event',
      'mollie',
      () => tamper(genuine('mollie'), { 'x-mollie-signature': null }),
    ],
    [
      'mollie: body changed after signing',
      'mollie',
      () =>
        tamper(genuine('mollie'), {}, genuine('mollie').body.replace('customer.updated', 'customer.deleted')),
    ],
    [
      'mollie: replayed, signed ten minutes ago',
      'mollie',
      () => genuine('mollie', undefined, tenMinutesAgo()),
    ],
    [
      'juspay: a wrong password',
      'juspay',
      () => tamper(genuine('juspay'), { authorization: basic(stack.webhookSecrets.juspayUsername, 'guess') }),
    ],
    [
      'juspay: a wrong user',
      'juspay',
      () => tamper(genuine('juspay'), { authorization: basic('admin', stack.webhookSecrets.juspayPassword) }),
    ],
    ['juspay: no credentials', 'juspay', () => tamper(genuine('juspay'), { authorization: null })],
    [
      'juspay: a bearer token instead of Basic',
      'juspay',
      () => tamper(genuine('juspay'), { authorization: `Bearer ${stack.webhookSecrets.juspayPassword}` }),
    ],
    ['juspay: replayed, sent ten minutes ago', 'juspay', () => genuine('juspay', undefined, tenMinutesAgo())],
    ['delos: a wrong token', 'delos', () => tamper(genuine('delos'), { 'x-webhook-token': 'guess' })],
    ['delos: no token', 'delos', () => tamper(genuine('delos'), { 'x-webhook-token': null })],
    [
      'delos: the token of another provider',
      'delos',
      () => tamper(genuine('delos'), { 'x-webhook-token': stack.webhookSecrets.palommaIntegrityKey }),
    ],
  ];

  it.each(refusals)('refuses %s with 401, enqueueing and writing nothing', async (_name, provider, make) => {
    const before = await untouched();
    const response = await postWebhook(stack, provider, make());
    await expectProblem(response, [401]);
    expect(response.headers.get('www-authenticate')).toEqual(expect.any(String));
    expect(await untouched()).toEqual(before);
  });

  it('refuses a genuine webhook sent to another provider’s path (401) or an unknown one (404)', async () => {
    const before = await untouched();
    for (const provider of PROVIDERS) {
      const webhook = genuine(provider);
      for (const other of PROVIDERS.filter((name) => name !== provider)) {
        await expectProblem(await postWebhook(stack, other, webhook), [401]);
      }
      for (const unknown of ['stripe', 'PALOMMA', 'palomma%00', '..%2Fpalomma']) {
        await expectProblem(await postWebhook(stack, unknown, webhook), [404]);
      }
    }
    expect(await untouched()).toEqual(before);
  });

  it('accepts the genuine webhook itself (so the refusals above can fail)', async () => {
    for (const provider of PROVIDERS) {
      const response = await postWebhook(stack, provider, genuine(provider));
      expect({ provider, status: response.status, body: await response.json() }).toEqual({
        provider,
        status: 200,
        body: { status: 'enqueued' },
      });
    }
    await stack.settle();
  });
});
