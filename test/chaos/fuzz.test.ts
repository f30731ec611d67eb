/**
 * The API fuzzer of test/reliability/fuzz.test.ts with many more requests (digests compared every 10).
 */
import { countScenario } from '../helpers/reliability/counters.ts';
import { createCustomer } from '../helpers/reliability/fixtures.ts';
import { runApiFuzz } from '../helpers/reliability/fuzz.ts';
import { type ReliabilityStack, startReliabilityStack } from '../helpers/reliability/stack.ts';
import { describeChaos } from '../helpers/reliability/suite.ts';

describeChaos('API under fuzzed requests (long)', () => {
  let stack: ReliabilityStack;
  let knownCustomerId: string;
  beforeAll(async () => {
    stack = await startReliabilityStack({ tablePrefix: 'chaos-fuzz' });
    knownCustomerId = (await createCustomer(stack, `chaos-fuzz-known-${Date.now()}`, ['mollie', 'juspay']))
      .customerId;
  }, 60_000);
  afterAll(async () => stack?.stop());

  it('answers every bad request on every route with a 4xx problem and writes nothing', async () => {
    countScenario();
    await runApiFuzz(stack, { knownCustomerId, numRuns: 10_000, digestEvery: 10 });
  }, 400_000);
});
