/**
 * Duplicates, attacked through the running product (local gateway → real handlers → sandboxes over
 * HTTP → DynamoDB Local): concurrent creates with one Idempotency-Key, a crash between a provider's
 * create and our store write, and one webhook delivered ten times at once. Provider-side duplicates
 * are counted at the sandboxes themselves.
 */
import { PROVIDERS, type ProviderName } from '../../lib/customer/snapshot.ts';
import type { CustomerStoreApi } from '../../lib/store/types.ts';
import { countFaults, countScenario } from '../helpers/reliability/counters.ts';
import {
  CreateAnswerSchema,
  createCustomer,
  customerInput,
  idAt,
  nameFields,
  postCustomer,
  postWebhook,
  signedWebhook,
  sleep,
  WebhookAnswerSchema,
} from '../helpers/reliability/fixtures.ts';
import { Ledger, wireId } from '../helpers/reliability/ledger.ts';
import { type ReliabilityStack, startReliabilityStack } from '../helpers/reliability/stack.ts';

const LEASE_SECONDS = 1;

let stack: ReliabilityStack;
const ledger = new Ledger();
/** Providers whose next `completePendingLink` throws, as if the function died right after the provider call. */
const crashBeforeStoreWrite = new Set<ProviderName>();

function crashingStore(store: CustomerStoreApi): CustomerStoreApi {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property !== 'completePendingLink') return value.bind(target);
      return async (args: Parameters<CustomerStoreApi['completePendingLink']>[0]) => {
        if (crashBeforeStoreWrite.delete(args.snapshot.provider)) {
          throw new Error('simulated crash between the provider call and the store write');
        }
        return target.completePendingLink(args);
      };
    },
  });
}

const createdAt = async () =>
  Object.fromEntries(
    await Promise.all(
      PROVIDERS.map(
        async (provider) => [provider, (await stack.sandboxes[provider].control.stats()).created] as const,
      ),
    ),
  );

async function expectLedgerClean(): Promise<void> {
  const report = await ledger.verify(stack);
  expect({ lost: report.lost, duplicated: report.duplicated }).toEqual({ lost: [], duplicated: [] });
}

beforeAll(async () => {
  stack = await startReliabilityStack({
    tablePrefix: 'rel-dup',
    wrapStore: crashingStore,
    env: { CREATE_LEASE_SECONDS: String(LEASE_SECONDS), CREATE_IN_PROGRESS_WAIT_MS: '20000' },
  });
}, 60_000);
afterAll(async () => stack?.stop());
beforeEach(() => countScenario());

describe('POST /customers under duplicate delivery', () => {
  it('creates one customer at each provider for 20 concurrent requests with one Idempotency-Key, answering all alike', async () => {
    const before = await createdAt();
    const reference = `dup-concurrent-${Date.now()}`;
    const body = { customer: customerInput(reference), providers: [...PROVIDERS] };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => postCustomer(stack, body, `key-${reference}`)),
    );
    const answers = await Promise.all(
      responses.map(async (response) => ({
        status: response.status,
        location: response.headers.get('location'),
        body: await response.text(),
      })),
    );
    ledger.expect(reference, PROVIDERS);

    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(answers[0]?.status).toBe(201);
    expect(await createdAt()).toEqual(Object.fromEntries(PROVIDERS.map((p) => [p, (before[p] ?? 0) + 1])));
    await expectLedgerClean();
  });

  it('answers 422 to the same Idempotency-Key with another body, creating nothing', async () => {
    const reference = `dup-other-body-${Date.now()}`;
    const first = await postCustomer(
      stack,
      { customer: customerInput(reference), providers: ['mollie'] },
      `key-${reference}`,
    );
    expect(first.status).toBe(201);
    ledger.expect(reference, ['mollie']);
    const before = [await createdAt(), await stack.digest()];

    const other = await postCustomer(
      stack,
      { customer: customerInput(reference, { givenName: 'Otra' }), providers: ['mollie'] },
      `key-${reference}`,
    );
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
    expect(await other.json()).toMatchObject({ status: 422, title: expect.any(String) });
    expect([await createdAt(), await stack.digest()]).toEqual(before);
    await expectLedgerClean();
  });
});

describe('a crash between the provider call and the store write', () => {
  const resumable: ProviderName[] = ['palomma', 'mollie', 'juspay'];

  async function crashThenRetry(provider: ProviderName) {
    const before = await createdAt();
    const reference = `dup-crash-${provider}-${Date.now()}`;
    const body = { customer: customerInput(reference), providers: [provider] };
    crashBeforeStoreWrite.add(provider);
    countFaults();

    const first = await postCustomer(stack, body, `key-${reference}`);
    expect(crashBeforeStoreWrite.has(provider)).toBe(false);
    expect(first.status).toBe(202);
    expect(CreateAnswerSchema.parse(await first.json()).providers[provider]).toMatchObject({
      status: 'pending',
    });
    // The provider did create it; our store does not know its id yet.
    expect((await createdAt())[provider]).toBe((before[provider] ?? 0) + 1);

    // The client retries with the same key once the create lease of the dead attempt has run out.
    await sleep(LEASE_SECONDS * 1000 + 200);
    const retry = await postCustomer(stack, body, `key-${reference}`);
    const retried = CreateAnswerSchema.parse(await retry.json());
    ledger.expect(reference, [provider]);
    // The scheduler's pending-create pass must not create it again either.
    await stack.syncAll([provider]);
    return { before, retry, retried, reference };
  }

  it.each(resumable)(
    '%s: the retry finds the customer the provider already has and the link ends consistent',
    async (provider) => {
      const { before, retry, retried } = await crashThenRetry(provider);
      expect(retry.status).toBe(201);
      const record = await stack.store.getCustomer(retried.customerId);
      const link = record?.links.find((item) => item.provider === provider);
      expect(link).toMatchObject({
        status: 'active',
        providerCustomerId: retried.providers[provider]?.providerCustomerId,
      });
      expect(link?.snapshot?.providerCustomerId).toBe(link?.providerCustomerId);
      expect((await createdAt())[provider]).toBe((before[provider] ?? 0) + 1);
      await expectLedgerClean();
    },
  );

  // Delos has no idempotency key and no merchant reference: the retry finds the first customer by the
  // marker our create put in its `comment` (lib/sync/provider-create.ts).
  it('delos: the retry finds the customer Delos already has by its create marker and creates nothing twice', async () => {
    const { before, retry, retried } = await crashThenRetry('delos');
    expect(retry.status).toBe(201);
    const linked = (await stack.store.getCustomer(retried.customerId))?.links.find(
      (link) => link.provider === 'delos',
    );
    expect(linked).toMatchObject({
      status: 'active',
      providerCustomerId: retried.providers.delos?.providerCustomerId,
    });
    expect(linked?.snapshot?.providerCustomerId).toBe(linked?.providerCustomerId);
    // Every Delos customer is known to some link: no second, unlinked one.
    const unlinked: string[] = [];
    for (const wire of await stack.sandboxes.delos.control.listCustomers()) {
      const id = wireId(wire);
      if (id && id !== linked?.providerCustomerId && !(await stack.store.findByProviderId('delos', id))) {
        unlinked.push(id);
      }
    }
    expect(unlinked).toEqual([]);
    expect((await createdAt()).delos).toBe((before.delos ?? 0) + 1);
    await expectLedgerClean();
  });
});

describe('webhook redelivery', () => {
  let customer: Awaited<ReturnType<typeof createCustomer>>;
  beforeAll(async () => {
    customer = await createCustomer(stack, `dup-webhook-${Date.now()}`, PROVIDERS);
    ledger.expect(customer.reference, PROVIDERS);
  });

  const historyLength = async (provider: ProviderName) =>
    (await stack.store.getHistory({ customerId: customer.customerId, provider, limit: 100 })).items.length;
  const gets = async (provider: ProviderName) =>
    (await stack.sandboxes[provider].control.stats()).requests.get ?? 0;

  it.each(PROVIDERS)(
    '%s: the same event delivered 10 times at once causes one re-fetch and one new history item',
    async (provider) => {
      const providerId = idAt(customer, provider);
      const marker = `Webhook${provider.slice(0, 3)}${Date.now() % 100_000}`;
      await stack.sandboxes[provider].control.patchCustomer(providerId, nameFields(provider, marker));
      await stack.settle();
      const [getsBefore, historyBefore] = [await gets(provider), await historyLength(provider)];

      const webhook = signedWebhook(stack, provider, providerId, `evt-${provider}-${Date.now()}`);
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => postWebhook(stack, provider, webhook)),
      );
      const results = await Promise.all(
        responses.map(
          async (response) => [response.status, WebhookAnswerSchema.parse(await response.json())] as const,
        ),
      );
      await stack.settle();

      expect(results.filter(([status]) => status === 200)).toHaveLength(10);
      expect(results.map(([, body]) => body.status).sort()).toEqual([
        ...Array.from({ length: 9 }, () => 'duplicate'),
        'enqueued',
      ]);
      expect((await gets(provider)) - getsBefore).toBe(1);
      expect((await historyLength(provider)) - historyBefore).toBe(1);
      const link = (await stack.store.getCustomer(customer.customerId))?.links.find(
        (item) => item.provider === provider,
      );
      expect(link?.snapshot?.givenName).toBe(marker);
    },
  );

  it('mollie: the same unsigned classic hint delivered 10 times at once causes one re-fetch', async () => {
    const providerId = idAt(customer, 'mollie');
    const marker = `Hint${Date.now() % 100_000}`;
    await stack.sandboxes.mollie.control.patchCustomer(providerId, nameFields('mollie', marker));
    const [getsBefore, historyBefore] = [await gets('mollie'), await historyLength('mollie')];

    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        stack.api('/webhooks/mollie', {
          key: null,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `id=${providerId}`,
        }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 10 }, () => 200));
    await stack.settle();
    expect((await gets('mollie')) - getsBefore).toBe(1);
    expect((await historyLength('mollie')) - historyBefore).toBe(1);
    await expectLedgerClean();
  });
});
