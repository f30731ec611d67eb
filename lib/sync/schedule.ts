/**
 * When a link is next due: one interval after a success, and after a failure an exponential backoff
 * (base · 2^(failures-1), capped), never earlier than the provider's own Retry-After. Jitter spreads
 * links that failed together (a provider outage) so they do not all come due in the same second.
 */
import type { ProviderName } from '../customer/snapshot.ts';

export interface SyncSchedule {
  nextDueAfterSuccess(provider: ProviderName, now: Date): string;
  nextDueAfterFailure(
    provider: ProviderName,
    now: Date,
    consecutiveFailures: number,
    retryAfterSeconds?: number,
  ): string;
}

export interface SyncScheduleOptions {
  intervalSeconds: Record<ProviderName, number>;
  retryBaseSeconds: number;
  maxBackoffSeconds: number;
  /** 0..1; the share of each delay that is randomized. Default 0.2. */
  jitter?: number;
  /** Default Math.random; tests pass a constant. */
  random?: () => number;
}

export function createSyncSchedule(options: SyncScheduleOptions): SyncSchedule {
  const jitter = Math.min(Math.max(options.jitter ?? 0.2, 0), 1);
  const random = options.random ?? Math.random;
  // Subtracting (not adding) jitter keeps every delay within its nominal bound.
  const jittered = (seconds: number) => seconds * (1 - jitter * random());
  const at = (now: Date, seconds: number) =>
    new Date(now.getTime() + Math.round(seconds * 1000)).toISOString();
  return {
    nextDueAfterSuccess(provider, now) {
      return at(now, jittered(options.intervalSeconds[provider]));
    },
    nextDueAfterFailure(_provider, now, consecutiveFailures, retryAfterSeconds) {
      const exponent = Math.min(Math.max(consecutiveFailures - 1, 0), 30);
      const backoff = Math.min(options.retryBaseSeconds * 2 ** exponent, options.maxBackoffSeconds);
      return at(now, Math.max(jittered(backoff), retryAfterSeconds ?? 0));
    },
  };
}
