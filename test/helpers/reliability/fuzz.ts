/**
 * The API fuzzer shared by the fast suite (about 200 requests) and the chaos suite (thousands): bad
 * requests to every route over real HTTP through the local gateway. Each must get a 4xx RFC 9457
 * problem, and none may write: both tables keep their exact items, no sync message is sent and no
 * provider is asked to create anything.
 */
import fc from 'fast-check';
import { PROVIDERS } from '../../../lib/customer/snapshot.ts';
import { badRequest, type FuzzRequest } from './arbitraries.ts';
import { countFuzzed } from './counters.ts';
import { problemViolation, rawRequest } from './http.ts';
import type { ReliabilityStack, TableDigest } from './stack.ts';

export interface FuzzOptions {
  knownCustomerId: string;
  numRuns: number;
  /** Compare table digests after every n requests (and at the end); 1 pins a write to its request. */
  digestEvery: number;
  seed?: number;
}

const summarize = (request: FuzzRequest) =>
  `${request.label}: ${request.method} ${request.path.slice(0, 200)} (${request.body?.length ?? 0} body bytes)`;

async function createdAtProviders(stack: ReliabilityStack): Promise<number[]> {
  return Promise.all(
    PROVIDERS.map(async (provider) => (await stack.sandboxes[provider].control.stats()).created),
  );
}

export async function runApiFuzz(stack: ReliabilityStack, options: FuzzOptions): Promise<void> {
  let baseline: TableDigest = await stack.digest();
  const created = await createdAtProviders(stack);
  const sent = stack.sent.length;
  let sinceDigest: string[] = [];
  let fuzzed = 0;

  const checkNoWrite = async () => {
    const now = await stack.digest();
    if (JSON.stringify(now) !== JSON.stringify(baseline)) {
      const culprits = sinceDigest.join('\n  ');
      baseline = now;
      sinceDigest = [];
      throw new Error(`a refused request wrote to DynamoDB; one of:\n  ${culprits}`);
    }
    sinceDigest = [];
  };

  try {
    await fc.assert(
      fc.asyncProperty(
        badRequest({ apiKey: stack.apiKey, knownCustomerId: options.knownCustomerId }),
        async (request) => {
          fuzzed++;
          sinceDigest.push(summarize(request));
          const response = await rawRequest(stack.url, request);
          const violation = problemViolation(response);
          if (violation)
            throw new Error(`${summarize(request)} → ${violation}: ${response.body.slice(0, 300)}`);
          if (stack.sent.length !== sent) throw new Error(`${summarize(request)} enqueued a sync message`);
          if (fuzzed % options.digestEvery === 0) await checkNoWrite();
        },
      ),
      {
        numRuns: options.numRuns,
        endOnFailure: true,
        ...(options.seed === undefined ? {} : { seed: options.seed }),
      },
    );
    await checkNoWrite();
    const after = await createdAtProviders(stack);
    if (JSON.stringify(after) !== JSON.stringify(created))
      throw new Error('a refused request created a provider customer');
  } finally {
    countFuzzed(fuzzed);
  }
}
