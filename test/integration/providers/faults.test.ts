/**
 * Every sandbox fault against every adapter: which failures are retried (and how), and which typed error
 * a caller finally sees. Tuning is shrunk so that timeouts and backoffs take milliseconds.
 */
import { PROVIDERS, type ProviderName } from '../../../lib/customer/snapshot.ts';
import {
  ProviderAuthError,
  ProviderContractError,
  ProviderRateLimitedError,
  ProviderRejectedError,
  ProviderTimeoutError,
  ProviderUnavailableError,
} from '../../../lib/http/errors.ts';
import type { HttpProviderAdapter } from '../../../lib/providers/registry.ts';
import type { RunningSandbox } from '../../../sandbox/index.ts';
import type { ProviderEnvOptions } from '../../unit/providers/provider-env.ts';
import { adapterFor, fullInput, rejection, startWithAdapter } from './sandbox-adapter.ts';

const TUNING: ProviderEnvOptions = {
  retryLimit: 2,
  timeoutMs: 300,
  totalBudgetMs: 4000,
  backoffBaseMs: 10,
  maxRetryAfterSeconds: 2,
};

const EXAMPLE_ID: Record<ProviderName, string> = {
  palomma: '01HPR57X6QR5ZRKEEKBSDBW4RA',
  delos: 'D7k3xbc-ERrj-lde9k1t3XuaE',
  mollie: 'cst_tKt44u85MM',
  juspay: 'cst_vsypdzjd12zypfeu',
};

describe.each(PROVIDERS)('%s adapter under sandbox faults', (provider) => {
  let sandbox: RunningSandbox;
  let adapter: HttpProviderAdapter;
  const id = EXAMPLE_ID[provider];
  const stats = () => sandbox.control.stats();

  beforeAll(async () => {
    ({ sandbox, adapter } = await startWithAdapter(provider, { seed: 0, env: TUNING }));
  });
  afterAll(async () => sandbox.stop());
  beforeEach(async () => {
    await sandbox.control.reset();
    await sandbox.control.clearFaults();
    await sandbox.control.setRateLimit(null);
    // Delos: log in before the fault, so that login traffic does not blur the counts below.
    await adapter.getCustomer(id);
    adapter.resetCounters();
  });

  describe('reads (GET: retried on network errors, timeouts, 408, 429 and 5xx)', () => {
    it('retries a 503 and succeeds', async () => {
      await sandbox.control.addFault({ route: 'get', kind: 'error', status: 503, times: 1 });
      await expect(adapter.getCustomer(id)).resolves.toMatchObject({ providerCustomerId: id });
      expect(adapter.counters()).toMatchObject({ attempts: 2, retries: 1, serverErrors: 1 });
    });

    it('gives up after the retry limit with ProviderUnavailableError', async () => {
      await sandbox.control.addFault({ route: 'get', kind: 'error', status: 500 });
      const error = await rejection(adapter.getCustomer(id));
      expect(error).toBeInstanceOf(ProviderUnavailableError);
      expect(error).toMatchObject({ status: 500, retryable: true });
      expect(adapter.counters()).toMatchObject({ attempts: 3, retries: 2 });
    });

    it('does not retry a 400 and reports it as rejected', async () => {
      await sandbox.control.addFault({ route: 'get', kind: 'error', status: 400 });
      const error = await rejection(adapter.getCustomer(id));
      expect(error).toBeInstanceOf(ProviderRejectedError);
      expect(adapter.counters()).toMatchObject({ attempts: 1, retries: 0 });
    });

    it('times out a hanging attempt and succeeds on the retry', async () => {
      await sandbox.control.addFault({ route: 'get', kind: 'hang', times: 1 });
      await expect(adapter.getCustomer(id)).resolves.toMatchObject({ providerCustomerId: id });
      expect(adapter.counters()).toMatchObject({ attempts: 2, timeouts: 1 });
    });

    it('fails with ProviderTimeoutError when every attempt hangs', async () => {
      await sandbox.control.addFault({ route: 'get', kind: 'hang' });
      const started = Date.now();
      const error = await rejection(adapter.getCustomer(id));
      expect(error).toBeInstanceOf(ProviderTimeoutError);
      expect(adapter.counters()).toMatchObject({ attempts: 3, timeouts: 3 });
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('retries a connection reset and succeeds', async () => {
      await sandbox.control.addFault({ route: 'get', kind: 'reset', times: 1 });
      await expect(adapter.getCustomer(id)).resolves.toMatchObject({ providerCustomerId: id });
      expect(adapter.counters()).toMatchObject({ attempts: 2, networkErrors: 1 });
    });

    it('does not retry malformed JSON: a contract violation', async () => {
      await sandbox.control.addFault({ route: 'get', kind: 'malformed-json', times: 1 });
      const error = await rejection(adapter.getCustomer(id));
      expect(error).toBeInstanceOf(ProviderContractError);
      expect(error.message).toContain('body is not JSON');
      expect(adapter.counters()).toMatchObject({ attempts: 1 });
    });

    it('refuses a body that breaks the wire schema, naming fields only', async () => {
      await sandbox.control.addFault({ route: 'get', kind: 'schema-violation', times: 1 });
      const error = await rejection(adapter.getCustomer(id));
      expect(error).toBeInstanceOf(ProviderContractError);
      expect(error instanceof ProviderContractError && error.issues.length).toBeGreaterThan(0);
      expect(error.message).not.toMatch(/@|\d{7,}/);
    });

    it('handles a 401 per the provider: Delos logs in again, static keys fail with ProviderAuthError', async () => {
      await sandbox.control.addFault({ route: 'get', kind: 'unauthorized', times: 1 });
      if (provider === 'delos') {
        await expect(adapter.getCustomer(id)).resolves.toMatchObject({ providerCustomerId: id });
        expect(adapter.counters().authRetries).toBe(1);
      } else {
        const error = await rejection(adapter.getCustomer(id));
        expect(error).toBeInstanceOf(ProviderAuthError);
        expect(adapter.counters()).toMatchObject({ attempts: 1 });
      }
    });

    it('honours Retry-After on a 429 and succeeds', async () => {
      await sandbox.control.addFault({ route: 'get', kind: 'rate-limit', retryAfterSeconds: 1, times: 1 });
      const started = Date.now();
      await expect(adapter.getCustomer(id)).resolves.toMatchObject({ providerCustomerId: id });
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(adapter.counters()).toMatchObject({ attempts: 2, rateLimited: 1 });
    });

    it('does not wait out a Retry-After above the cap', async () => {
      await sandbox.control.addFault({ route: 'get', kind: 'rate-limit', retryAfterSeconds: 30 });
      const error = await rejection(adapter.getCustomer(id));
      expect(error).toBeInstanceOf(ProviderRateLimitedError);
      expect(error).toMatchObject({ retryAfterSeconds: 30, retryable: true });
      expect(adapter.counters()).toMatchObject({ attempts: 1 });
    });

    it('tolerates latency below the attempt timeout', async () => {
      await sandbox.control.addFault({ route: 'get', kind: 'latency', ms: 100 });
      await expect(adapter.getCustomer(id)).resolves.toMatchObject({ providerCustomerId: id });
      expect(adapter.counters()).toMatchObject({ attempts: 1, timeouts: 0 });
    });

    it('retries a failed list page', async () => {
      await sandbox.control.addFault({ route: 'list', kind: 'error', status: 502, times: 1 });
      const pages = [];
      for await (const page of adapter.listCustomers({ pageSize: 50 })) pages.push(page);
      expect(pages.flatMap((page) => page.customers).length).toBeGreaterThan(0);
      expect(adapter.counters().retries).toBe(1);
    });
  });

  describe('creates (POST: retried only where the provider makes it safe)', () => {
    const safe = provider === 'mollie' || provider === 'juspay';

    it(`${safe ? 'retries' : 'does not retry'} a 503 on create`, async () => {
      await sandbox.control.addFault({ route: 'create', kind: 'error', status: 503, times: 1 });
      const attempt = adapter.createCustomer(fullInput('fault-create-503'), 'key-fault-503');
      if (safe) {
        await expect(attempt).resolves.toMatchObject({ provider });
        expect((await stats()).created).toBe(1);
      } else {
        expect(await rejection(attempt)).toBeInstanceOf(ProviderUnavailableError);
        expect((await stats()).requests.create).toBe(1);
        expect((await stats()).created).toBe(0);
      }
    });

    it(`${safe ? 'retries' : 'does not retry'} a connection reset on create (nothing was created)`, async () => {
      await sandbox.control.addFault({ route: 'create', kind: 'reset', times: 1 });
      const attempt = adapter.createCustomer(fullInput('fault-create-reset'), 'key-fault-reset');
      if (safe) {
        await expect(attempt).resolves.toMatchObject({ provider });
        expect((await stats()).created).toBe(1);
      } else {
        expect(await rejection(attempt)).toBeInstanceOf(ProviderUnavailableError);
        expect((await stats()).created).toBe(0);
      }
    });

    it('recovers a create whose answer was unreadable, except at Delos', async () => {
      // The sandbox created the customer, then garbled the answer.
      await sandbox.control.addFault({ route: 'create', kind: 'malformed-json', times: 1 });
      const attempt = adapter.createCustomer(fullInput('fault-create-garbled'), 'key-fault-garbled');
      if (provider === 'delos') {
        expect(await rejection(attempt)).toBeInstanceOf(ProviderContractError);
      } else {
        const created = await attempt;
        expect(created.provider).toBe(provider);
        expect(created.reference).toBe('fault-create-garbled');
      }
      expect((await stats()).created).toBe(1);
    });
  });

  describe('rate limits', () => {
    it('paces requests with the client-side token bucket so the provider never says 429', async () => {
      await sandbox.control.setRateLimit(5);
      const paced = await adapterFor(provider, sandbox, { ...TUNING, rateLimitRps: 4, rateLimitBurst: 1 });
      await paced.getCustomer(id); // Delos: log in first
      const started = Date.now();
      await Promise.all(Array.from({ length: 6 }, () => paced.getCustomer(id)));
      expect(Date.now() - started).toBeGreaterThanOrEqual(1100);
      expect(paced.counters().rateLimited).toBe(0);
      expect((await stats()).statuses['429']).toBeUndefined();
    });

    it('waits out the provider rate limit per Retry-After when the client sends too fast', async () => {
      await sandbox.control.setRateLimit(2, 1);
      const results = await Promise.all(Array.from({ length: 3 }, () => adapter.getCustomer(id)));
      expect(results).toHaveLength(3);
      expect(adapter.counters().rateLimited).toBeGreaterThanOrEqual(1);
    });
  });
});
