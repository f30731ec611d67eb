/**
 * Ordering under random interleavings of provider changes, scheduled syncs and webhooks (fast-check),
 * on the live stack. The chaos suite runs the same property far longer (test/chaos/ordering.test.ts).
 */
import { countScenario } from '../helpers/reliability/counters.ts';
import { runOrderingProperty } from '../helpers/reliability/ordering-property.ts';
import { type ReliabilityStack, startReliabilityStack } from '../helpers/reliability/stack.ts';

let stack: ReliabilityStack;
beforeAll(async () => {
  stack = await startReliabilityStack({ tablePrefix: 'rel-order' });
}, 60_000);
afterAll(async () => stack?.stop());

describe('sync ordering', () => {
  it('keeps the newest provider state as latest and each distinct state once, in order, in history', async () => {
    countScenario();
    await runOrderingProperty(stack, { customers: 1, numRuns: 8, maxSteps: 6 });
  }, 120_000);
});
