/**
 * The ordering property of test/reliability/ordering.test.ts, run much longer: more customers, more
 * runs, longer interleavings of provider changes, scheduled syncs and webhooks.
 */
import { countScenario } from '../helpers/reliability/counters.ts';
import { runOrderingProperty } from '../helpers/reliability/ordering-property.ts';
import { type ReliabilityStack, startReliabilityStack } from '../helpers/reliability/stack.ts';
import { describeChaos } from '../helpers/reliability/suite.ts';

describeChaos('sync ordering (long)', () => {
  let stack: ReliabilityStack;
  beforeAll(async () => {
    stack = await startReliabilityStack({ tablePrefix: 'chaos-order' });
  }, 60_000);
  afterAll(async () => stack?.stop());

  it('keeps the newest provider state as latest and each distinct state once, in order, in history', async () => {
    countScenario();
    await runOrderingProperty(stack, { customers: 2, numRuns: 60, maxSteps: 10 });
  }, 400_000);
});
