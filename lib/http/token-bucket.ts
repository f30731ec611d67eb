/**
 * Client-side rate limit per provider: a token bucket that refills continuously at `requestsPerSecond`
 * and holds at most `burst` tokens. Callers reserve a token synchronously (the balance may go negative)
 * and then sleep until their reservation matures, so concurrent callers are served in arrival order
 * without a queue or a timer loop.
 */

export interface TokenBucketOptions {
  requestsPerSecond: number;
  burst: number;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type TakeResult =
  /** A token was taken after waiting `waitedMs`. */
  | { ok: true; waitedMs: number }
  /** The wait would exceed `maxWaitMs`: nothing was reserved. */
  | { ok: false; waitMs: number };

export interface RateLimiter {
  /** Waits for a token; refuses (without reserving) when the wait would exceed `maxWaitMs`. */
  take(maxWaitMs?: number): Promise<TakeResult>;
}

export const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

export function createTokenBucket(options: TokenBucketOptions): RateLimiter {
  const { requestsPerSecond, burst } = options;
  if (!(requestsPerSecond > 0)) throw new RangeError('requestsPerSecond must be positive');
  if (!(burst >= 1)) throw new RangeError('burst must be at least 1');
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const perTokenMs = 1000 / requestsPerSecond;
  let tokens = burst;
  let last = now();

  return {
    async take(maxWaitMs = Number.POSITIVE_INFINITY) {
      const current = now();
      tokens = Math.min(burst, tokens + (current - last) / perTokenMs);
      last = current;
      const waitMs = tokens >= 1 ? 0 : Math.ceil((1 - tokens) * perTokenMs);
      if (waitMs > maxWaitMs) return { ok: false, waitMs };
      tokens -= 1;
      if (waitMs > 0) await sleep(waitMs);
      return { ok: true, waitedMs: waitMs };
    },
  };
}
