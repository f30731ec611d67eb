/**
 * DynamoDB throttling during a sync run (simulated at the SDK, see throttle.ts): the SDK retries with
 * backoff; once its attempts are spent the error reaches the worker, which fails the SQS record so the
 * queue redelivers it. It is never swallowed: no success is recorded for a write that did not happen,
 * and the eventual write is stored once. The chaos suite throttles until messages reach the DLQ.
 */
import { countFaults, countScenario } from '../helpers/reliability/counters.ts';
import { createCustomer, idAt, nameFields } from '../helpers/reliability/fixtures.ts';
import { Ledger } from '../helpers/reliability/ledger.ts';
import { type ReliabilityStack, startReliabilityStack } from '../helpers/reliability/stack.ts';
import { installThrottling, type SimulatedThrottling } from '../helpers/reliability/throttle.ts';

let stack: ReliabilityStack;
let throttling: SimulatedThrottling | undefined;
const ledger = new Ledger();

beforeAll(async () => {
  stack = await startReliabilityStack({
    tablePrefix: 'rel-throttle',
    providers: ['mollie'],
    configureDynamo: (client) => {
      throttling = installThrottling(client);
    },
  });
}, 60_000);
afterAll(async () => stack?.stop());
beforeEach(() => countScenario());

function throttle(): SimulatedThrottling {
  if (!throttling) throw new Error('throttling middleware not installed');
  return throttling;
}

async function changedCustomer(marker: string) {
  const customer = await createCustomer(stack, `throttle-${marker}-${Date.now()}`, ['mollie']);
  ledger.expect(customer.reference, ['mollie']);
  await stack.sandboxes.mollie.control.patchCustomer(idAt(customer, 'mollie'), nameFields('mollie', marker));
  const link = async () => (await stack.store.getCustomer(customer.customerId))?.links[0];
  const sync = async () => (await stack.store.getCustomer(customer.customerId))?.syncStates[0];
  return { customer, link, sync, versionBefore: (await link())?.version ?? 0 };
}

describe('DynamoDB throttling during a sync run', () => {
  it('retries throttled writes with backoff inside the SDK and stores the change once', async () => {
    const { link, sync, versionBefore } = await changedCustomer('Throttled');
    const fetchesBefore = stack.fetches.length;
    throttle().attempts.length = 0;
    // Only the write a change makes before storing its new version (the replaced version's history
    // item): other customers' unchanged re-syncs go through.
    throttle().arm(3, { commands: ['PutItemCommand'], sortKeyPrefix: 'HISTORY#' });
    countFaults(3);
    await stack.syncAll();

    expect(throttle().remaining).toBe(0);
    const [first, second, third] = throttle().attempts;
    // One call, attempts 1-3 refused, retried after growing (jittered) delays; the 4th went through.
    expect(throttle().attempts.map((attempt) => attempt.attempt)).toEqual([1, 2, 3]);
    expect(new Set(throttle().attempts.map((attempt) => attempt.invocation)).size).toBe(1);
    expect((second?.at ?? 0) - (first?.at ?? 0) + ((third?.at ?? 0) - (second?.at ?? 0))).toBeGreaterThan(0);
    expect(await link()).toMatchObject({ version: versionBefore + 1, snapshot: { givenName: 'Throttled' } });
    expect(await sync()).toMatchObject({ consecutiveFailures: 0, lastError: null });
    // The SDK absorbed it: one provider fetch, no redelivery.
    expect(stack.fetches.length - fetchesBefore).toBe(1);
    const report = await ledger.verify(stack);
    expect({ lost: report.lost, duplicated: report.duplicated }).toEqual({ lost: [], duplicated: [] });
  }, 60_000);

  it('surfaces throttling that outlasts the SDK’s attempts so the queue redelivers, never swallowing it', async () => {
    const { customer, link, sync, versionBefore } = await changedCustomer('Redelivered');
    const fetchesBefore = stack.fetches.length;
    const fetchesOfCustomer = () =>
      stack.fetches
        .slice(fetchesBefore)
        .filter((fetch) => fetch.providerCustomerId === idAt(customer, 'mollie')).length;
    throttle().attempts.length = 0;
    // maxAttempts is 5 (lib/store/client.ts): the first delivery's write fails on every attempt.
    throttle().arm(5, { commands: ['PutItemCommand'], sortKeyPrefix: 'HISTORY#' });
    countFaults(5);

    await stack.runScheduler('mollie');
    await stack.settle();

    expect(throttle().attempts.map((attempt) => attempt.attempt)).toEqual([1, 2, 3, 4, 5]);
    // The worker refetched on redelivery (2 fetches) and the second write stored the change, once.
    expect(fetchesOfCustomer()).toBe(2);
    expect(await link()).toMatchObject({
      version: versionBefore + 1,
      snapshot: { givenName: 'Redelivered' },
    });
    const history = await stack.store.getHistory({
      customerId: customer.customerId,
      provider: 'mollie',
      limit: 10,
    });
    expect(history.items.map((entry) => entry.snapshot.givenName)).toEqual(['Redelivered', 'Ana']);
    expect(await sync()).toMatchObject({ consecutiveFailures: 0 });
    expect(stack.deadLetters()).toEqual([]);
    const report = await ledger.verify(stack);
    expect({ lost: report.lost, duplicated: report.duplicated }).toEqual({ lost: [], duplicated: [] });
  }, 60_000);
});
