/**
 * Every provider sandbox fault during a sync run of the live stack. Before each run every customer is
 * changed at every provider, then one provider misbehaves. Per fault class:
 * - the retry policy for that class is followed: HTTP attempts per fetch (counted at the sandbox),
 *   deliveries per message (counted at the worker's fetches), the DLQ for what stays broken;
 * - bad data is never written: the faulty provider's links keep their snapshot and version;
 * - the failing customers' sync states record the error class;
 * - the other providers' links all finish in the same run;
 * - and once the fault clears, the next run brings everything current (checked by the ledger
 *   against the providers' own current state: nothing lost, duplicated or stale).
 */
import { stageConfig } from '../../infra/stages.ts';
import { PROVIDERS, type ProviderName } from '../../lib/customer/snapshot.ts';
import type { FaultOptions } from '../../sandbox/control.ts';
import { countFaults, countScenario } from '../helpers/reliability/counters.ts';
import {
  type CreatedCustomer,
  createCustomer,
  idAt,
  nameFields,
  sleep,
} from '../helpers/reliability/fixtures.ts';
import { Ledger } from '../helpers/reliability/ledger.ts';
import { type ReliabilityStack, startReliabilityStack, testEnv } from '../helpers/reliability/stack.ts';
import { describeChaos } from '../helpers/reliability/suite.ts';

const RETRY_LIMIT = Number(testEnv().PALOMMA_RETRY_LIMIT);
/** The provider timeout during the hang scenarios (the stack's default is the product's 5 s). */
const HANG_TIMEOUT_MS = 1000;
const MAX_RETRY_AFTER = Number(testEnv().PALOMMA_MAX_RETRY_AFTER_SECONDS);
const MAX_RECEIVES = stageConfig('local').sync.dlqMaxReceiveCount;
const CUSTOMERS = 3;

interface Scenario {
  name: string;
  provider: ProviderName;
  /** Injects the fault; returns how to clear it. */
  inject(stack: ReliabilityStack): Promise<() => Promise<void>>;
  /** Persistent: the provider's links fail this run. Absorbed: retries hide it and the run succeeds. */
  outcome:
    | {
        kind: 'fails';
        error: string;
        /** HTTP requests per fetch; 'no-retry' where a refused login stops the fetch before or after one GET. */
        httpAttempts: number | 'no-retry';
        redelivered: boolean;
        notBeforeSeconds?: number;
      }
    | {
        kind: 'absorbed';
        minSeconds?: number;
        check?: (stack: ReliabilityStack, before: Stats) => Promise<void>;
      };
}

type Stats = Awaited<ReturnType<ReliabilityStack['sandboxes']['palomma']['control']['stats']>>;

const fault = (provider: ProviderName, options: FaultOptions) => async (stack: ReliabilityStack) => {
  await stack.sandboxes[provider].control.addFault(options);
  return () => stack.sandboxes[provider].control.clearFaults();
};

/** Juspay requests hang; the adapter's timeout is shortened meanwhile so the scenario takes seconds. */
const hang = (options: { times?: number }) => async (stack: ReliabilityStack) => {
  const timeout = stack.env.JUSPAY_TIMEOUT_MS ?? '5000';
  await stack.reconfigure('juspay', { JUSPAY_TIMEOUT_MS: String(HANG_TIMEOUT_MS) });
  await stack.sandboxes.juspay.control.addFault({ route: 'get', kind: 'hang', ...options });
  return async () => {
    await stack.sandboxes.juspay.control.clearFaults();
    await stack.reconfigure('juspay', { JUSPAY_TIMEOUT_MS: timeout });
  };
};

const SCENARIOS: Scenario[] = [
  {
    name: 'a 503 outage (error burst longer than the retries)',
    provider: 'palomma',
    inject: fault('palomma', { route: 'get', kind: 'error', status: 503 }),
    outcome: {
      kind: 'fails',
      error: 'ProviderUnavailableError',
      httpAttempts: RETRY_LIMIT + 1,
      redelivered: true,
    },
  },
  {
    name: 'a 500 burst shorter than the retries',
    provider: 'palomma',
    inject: fault('palomma', { route: 'get', kind: 'error', status: 500, times: RETRY_LIMIT }),
    outcome: { kind: 'absorbed' },
  },
  {
    name: '429 with a Retry-After above what the client waits in-line',
    provider: 'mollie',
    inject: fault('mollie', { route: 'get', kind: 'rate-limit', retryAfterSeconds: MAX_RETRY_AFTER + 1 }),
    outcome: {
      kind: 'fails',
      error: 'ProviderRateLimitedError',
      httpAttempts: 1,
      redelivered: true,
      notBeforeSeconds: MAX_RETRY_AFTER + 1,
    },
  },
  {
    name: 'one 429 with a short Retry-After',
    provider: 'mollie',
    inject: fault('mollie', { route: 'get', kind: 'rate-limit', retryAfterSeconds: 1, times: 1 }),
    outcome: { kind: 'absorbed', minSeconds: 1 },
  },
  {
    name: 'requests that hang past the timeout',
    provider: 'juspay',
    inject: hang({}),
    outcome: {
      kind: 'fails',
      error: 'ProviderTimeoutError',
      httpAttempts: RETRY_LIMIT + 1,
      redelivered: true,
    },
  },
  {
    name: 'one request that hangs past the timeout',
    provider: 'juspay',
    inject: hang({ times: 1 }),
    outcome: { kind: 'absorbed', minSeconds: HANG_TIMEOUT_MS / 1000 },
  },
  {
    name: 'connection resets',
    provider: 'delos',
    inject: fault('delos', { route: 'get', kind: 'reset' }),
    outcome: {
      kind: 'fails',
      error: 'ProviderUnavailableError',
      httpAttempts: RETRY_LIMIT + 1,
      redelivered: true,
    },
  },
  {
    name: 'one connection reset',
    provider: 'delos',
    inject: fault('delos', { route: 'get', kind: 'reset', times: 1 }),
    outcome: { kind: 'absorbed' },
  },
  {
    name: 'malformed JSON',
    provider: 'palomma',
    inject: fault('palomma', { route: 'get', kind: 'malformed-json' }),
    outcome: { kind: 'fails', error: 'ProviderContractError', httpAttempts: 1, redelivered: true },
  },
  {
    name: 'bodies that violate the wire schema',
    provider: 'mollie',
    inject: fault('mollie', { route: 'get', kind: 'schema-violation' }),
    outcome: { kind: 'fails', error: 'ProviderContractError', httpAttempts: 1, redelivered: true },
  },
  {
    name: '401 after the API key was rotated at the provider',
    provider: 'juspay',
    async inject(stack) {
      const credentials = await stack.sandboxes.juspay.control.rotateCredentials();
      return async () => {
        // The new key reaches the function's configuration (Secrets Manager rotation, cache refresh).
        await stack.reconfigure('juspay', { JUSPAY_API_KEY: credentials.apiKey ?? '' });
      };
    },
    outcome: { kind: 'fails', error: 'ProviderAuthError', httpAttempts: 1, redelivered: false },
  },
  {
    name: '401 after the login password was rotated at the provider',
    provider: 'delos',
    async inject(stack) {
      await stack.sandboxes.delos.control.expireTokens();
      const credentials = await stack.sandboxes.delos.control.rotateCredentials();
      return async () => {
        await stack.reconfigure('delos', {
          DELOS_LOGIN: credentials.login ?? stack.env.DELOS_LOGIN ?? '',
          DELOS_PASSWORD: credentials.password ?? '',
        });
      };
    },
    // A GET's 401 makes the adapter log in again (refused); later fetches find no token and stop at the
    // refused login. Either way no GET is retried.
    outcome: { kind: 'fails', error: 'ProviderAuthError', httpAttempts: 'no-retry', redelivered: false },
  },
  {
    name: 'a provider-wide rate limit (429 with Retry-After beyond 2 requests per second)',
    provider: 'palomma',
    async inject(stack) {
      await stack.sandboxes.palomma.control.setRateLimit(2, 1);
      return () => stack.sandboxes.palomma.control.setRateLimit(null);
    },
    outcome: {
      kind: 'absorbed',
      async check(stack, before) {
        const after = await stack.sandboxes.palomma.control.stats();
        expect((after.statuses['429'] ?? 0) - (before.statuses['429'] ?? 0)).toBeGreaterThanOrEqual(1);
      },
    },
  },
  {
    name: 'Delos access tokens expiring mid-run',
    provider: 'delos',
    async inject(stack) {
      await stack.sandboxes.delos.control.expireTokens();
      return async () => {};
    },
    outcome: {
      kind: 'absorbed',
      async check(stack, before) {
        const after = await stack.sandboxes.delos.control.stats();
        // Refused once with the expired token, then a new token, then the retried request.
        expect((after.statuses['401'] ?? 0) - (before.statuses['401'] ?? 0)).toBeGreaterThanOrEqual(1);
        const renewals =
          (after.requests.refresh ?? 0) -
          (before.requests.refresh ?? 0) +
          (after.requests.login ?? 0) -
          (before.requests.login ?? 0);
        expect(renewals).toBeGreaterThanOrEqual(1);
      },
    },
  },
];

describeChaos('provider faults during a sync run', () => {
  let stack: ReliabilityStack;
  const ledger = new Ledger();
  const customers: CreatedCustomer[] = [];
  let round = 0;

  beforeAll(async () => {
    stack = await startReliabilityStack({ tablePrefix: 'chaos-faults' });
    for (let index = 0; index < CUSTOMERS; index++) {
      const customer = await createCustomer(stack, `chaos-fault-${index}-${Date.now()}`, PROVIDERS);
      customers.push(customer);
      ledger.expect(customer.reference, PROVIDERS);
    }
  }, 120_000);
  afterAll(async () => stack?.stop());

  async function links(provider: ProviderName) {
    return Promise.all(
      customers.map(async (customer) => {
        const record = await stack.store.getCustomer(customer.customerId);
        return {
          link: record?.links.find((item) => item.provider === provider),
          sync: record?.syncStates.find((item) => item.provider === provider),
        };
      }),
    );
  }

  it.each(SCENARIOS)(
    '$provider: $name',
    async (scenario) => {
      countScenario();
      const marker = `Round${++round}`;
      for (const customer of customers) {
        for (const provider of PROVIDERS) {
          await stack.sandboxes[provider].control.patchCustomer(
            idAt(customer, provider),
            nameFields(provider, marker),
          );
        }
      }
      const faulty = scenario.provider;
      const before = await links(faulty);
      const statsBefore = await stack.sandboxes[faulty].control.stats();
      const fetchesBefore = stack.fetches.length;
      const deadBefore = stack.deadLetters().length;
      let clear: (() => Promise<void>) | null = await scenario.inject(stack);
      countFaults();
      try {
        const started = Date.now();
        await stack.syncAll(PROVIDERS, 90_000);
        const seconds = (Date.now() - started) / 1000;

        // Every other provider finished in the same run.
        for (const provider of PROVIDERS.filter((name) => name !== faulty)) {
          for (const { link, sync } of await links(provider)) {
            expect({
              provider,
              name: link?.snapshot?.givenName,
              failures: sync?.consecutiveFailures,
            }).toEqual({
              provider,
              name: marker,
              failures: 0,
            });
          }
        }

        const statsAfter = await stack.sandboxes[faulty].control.stats();
        const httpRequests = (statsAfter.requests.get ?? 0) - (statsBefore.requests.get ?? 0);
        const fetches = stack.fetches
          .slice(fetchesBefore)
          .filter((fetch) => fetch.provider === faulty).length;
        const deadLetters = stack.deadLetters().slice(deadBefore);
        const outcome = scenario.outcome;

        if (outcome.kind === 'fails') {
          const failing = await links(faulty);
          failing.forEach(({ link, sync }, index) => {
            // Bad data never written: the last good snapshot stays, at the same version.
            expect(link?.version).toBe(before[index]?.link?.version);
            expect(link?.snapshot).toEqual(before[index]?.link?.snapshot);
            expect(sync?.lastError?.name).toBe(outcome.error);
            expect(sync?.consecutiveFailures).toBeGreaterThanOrEqual(1);
            if (outcome.notBeforeSeconds !== undefined) {
              expect(Date.parse(sync?.nextDueAt ?? '')).toBeGreaterThanOrEqual(
                started + outcome.notBeforeSeconds * 1000,
              );
            }
          });
          const deliveries = outcome.redelivered ? MAX_RECEIVES : 1;
          expect(fetches).toBe(CUSTOMERS * deliveries);
          if (outcome.httpAttempts === 'no-retry') expect(httpRequests).toBeLessThanOrEqual(fetches);
          else expect(httpRequests).toBe(fetches * outcome.httpAttempts);
          expect(deadLetters.map((letter) => letter.message.provider)).toEqual(
            outcome.redelivered ? Array.from({ length: CUSTOMERS }, () => faulty) : [],
          );
        } else {
          for (const { link, sync } of await links(faulty)) {
            expect({ name: link?.snapshot?.givenName, failures: sync?.consecutiveFailures }).toEqual({
              name: marker,
              failures: 0,
            });
          }
          expect(fetches).toBe(CUSTOMERS);
          expect(deadLetters).toEqual([]);
          if (outcome.minSeconds !== undefined)
            expect(seconds).toBeGreaterThanOrEqual(outcome.minSeconds * 0.95);
          await outcome.check?.(stack, statsBefore);
        }

        // The fault clears; the next run brings everything current.
        await clear();
        clear = null;
        // Failed links are due again after their backoff (never before the provider's Retry-After).
        const due = Math.max(
          0,
          ...(await links(faulty)).map(({ sync }) => Date.parse(sync?.nextDueAt ?? '') || 0),
        );
        await sleep(Math.max(0, due - Date.now()) + 100);
        await stack.syncAll(PROVIDERS, 90_000);
        for (const { link, sync } of await links(faulty)) {
          expect({
            name: link?.snapshot?.givenName,
            failures: sync?.consecutiveFailures,
            error: sync?.lastError ?? null,
          }).toEqual({
            name: marker,
            failures: 0,
            error: null,
          });
        }
        const report = await ledger.verify(stack, { compareLatest: true });
        expect(report).toMatchObject({ lost: [], duplicated: [], stale: [] });
      } finally {
        // A failed assertion must not leave the fault for the next scenario.
        if (clear) await clear();
      }
    },
    180_000,
  );
});
