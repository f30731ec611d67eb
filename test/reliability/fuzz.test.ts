/**
 * Bad input on every route, over real HTTP through the local gateway (fast-check): never a 5xx, always
 * a 4xx RFC 9457 problem, and no write anywhere. The chaos suite runs many more requests
 * (test/chaos/fuzz.test.ts).
 */
import { countScenario } from '../helpers/reliability/counters.ts';
import { createCustomer } from '../helpers/reliability/fixtures.ts';
import { runApiFuzz } from '../helpers/reliability/fuzz.ts';
import { problemViolation, rawRequest } from '../helpers/reliability/http.ts';
import { type ReliabilityStack, startReliabilityStack } from '../helpers/reliability/stack.ts';

let stack: ReliabilityStack;
let knownCustomerId: string;
beforeAll(async () => {
  stack = await startReliabilityStack({ tablePrefix: 'rel-fuzz' });
  knownCustomerId = (await createCustomer(stack, `fuzz-known-${Date.now()}`, ['mollie', 'palomma']))
    .customerId;
}, 60_000);
afterAll(async () => stack?.stop());

describe('API under fuzzed requests', () => {
  it('answers every bad request on every route with a 4xx problem and writes nothing', async () => {
    countScenario();
    await runApiFuzz(stack, { knownCustomerId, numRuns: 200, digestEvery: 1 });
  }, 120_000);

  // Found by the chaos fuzzer: names that are also Object.prototype members broke the local gateway (502).
  const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

  it.each(PROTOTYPE_NAMES)(
    'refuses a query parameter named %s on every GET route with a 400 problem',
    async (name) => {
      countScenario();
      const before = await stack.digest();
      for (const path of [
        '/customers',
        `/customers/${knownCustomerId}`,
        `/customers/${knownCustomerId}/history?provider=mollie&`,
        '/openapi.json',
      ]) {
        const separator = path.includes('?') ? '' : '?';
        const response = await rawRequest(stack.url, {
          method: 'GET',
          path: `${path}${separator}${name}=1`,
          headers: { 'x-api-key': stack.apiKey },
          body: null,
        });
        expect({ path, status: response.status, violation: problemViolation(response) }).toEqual({
          path,
          status: 400,
          violation: null,
        });
      }
      expect(await stack.digest()).toEqual(before);
    },
  );

  // Found by the chaos fuzzer: a path starting with `//` was parsed as a URL with a host (502).
  it.each(['//customers', '//HI%3Aq96%22pRx', '///', '//customers/x/history'])(
    'answers the path %s with a 4xx problem',
    async (path) => {
      countScenario();
      const response = await rawRequest(stack.url, {
        method: 'GET',
        path,
        headers: { 'x-api-key': stack.apiKey },
        body: null,
      });
      expect(problemViolation(response)).toBeNull();
    },
  );

  it.each(PROTOTYPE_NAMES.filter((name) => name !== '__proto__'))(
    'serves a request carrying a header named %s',
    async (name) => {
      countScenario();
      const response = await rawRequest(stack.url, {
        method: 'GET',
        path: `/customers/${knownCustomerId}`,
        headers: { 'x-api-key': stack.apiKey, [name]: 'x' },
        body: null,
      });
      expect(response.status).toBe(200);
    },
  );
});
