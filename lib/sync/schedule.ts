/**
 * When a link is next due: one interval after a success, and after a failure an exponential backoff
 * (base · 2^(failures-1), capped), never earlier than the provider's own Retry-After. Jitter spreads
 * links that failed together (a provider outage) so they do not all come due in the same second.
 *
 * Slots: where the refresh interval is more than `DUE_LOOKBACK_RUNS` due runs long (a stage's
 * `refreshEvery` well above its `syncEvery`), a success makes the link due on its slot (`slotOf`: a
 * fixed point of every interval, spread evenly over links) at least half an interval later, and a due
 * run plans only the slots that came due over its last `DUE_LOOKBACK_RUNS` periods (`dueSlots`), plus
 * the links the store holds by due time (new, pending, failing). So a run reads the links due around
 * now, not every link of the provider. With shorter intervals every run reads every link, which then
 * costs no more than the slots would.
 */
import type { ProviderName } from '../customer/snapshot.ts';
import { slotOf } from '../store/keys.ts';
import type { SlotRanges } from '../store/types.ts';

export interface SyncSchedule {
  nextDueAfterSuccess(provider: ProviderName, now: Date, customerId: string): string;
  nextDueAfterFailure(
    provider: ProviderName,
    now: Date,
    consecutiveFailures: number,
    retryAfterSeconds?: number,
  ): string;
  /** The slots a due run at `now` plans, or null where links are not due on slots (plan every link). */
  dueSlots(provider: ProviderName, now: Date): SlotRanges | null;
}

export interface SyncScheduleOptions {
  intervalSeconds: Record<ProviderName, number>;
  /**
   * How often the due runs come per provider (the stage's `syncEvery`); where an interval is more than
   * `DUE_LOOKBACK_RUNS` of them, links are due on their slots. Absent: never on slots.
   */
  dueRunSeconds?: Record<ProviderName, number>;
  retryBaseSeconds: number;
  maxBackoffSeconds: number;
  /** 0..1; the share of each delay that is randomized. Default 0.2. */
  jitter?: number;
  /** Default Math.random; tests pass a constant. */
  random?: () => number;
}

/**
 * Due runs a slot stays in the window of: a run plans the slots of the last three periods, so a lost
 * or late run's slots are planned by the next two (links synced since are skipped by their due time).
 */
export const DUE_LOOKBACK_RUNS = 3;

export function createSyncSchedule(options: SyncScheduleOptions): SyncSchedule {
  const jitter = Math.min(Math.max(options.jitter ?? 0.2, 0), 1);
  const random = options.random ?? Math.random;
  // Subtracting (not adding) jitter keeps every delay within its nominal bound.
  const jittered = (seconds: number) => seconds * (1 - jitter * random());
  const at = (now: Date, seconds: number) =>
    new Date(now.getTime() + Math.round(seconds * 1000)).toISOString();
  /** The lookback of a due run in seconds, where links of `provider` are due on slots; else null. */
  const lookbackSeconds = (provider: ProviderName): number | null => {
    const run = options.dueRunSeconds?.[provider];
    if (run === undefined) return null;
    const lookback = DUE_LOOKBACK_RUNS * run;
    return options.intervalSeconds[provider] > lookback ? lookback : null;
  };
  return {
    nextDueAfterSuccess(provider, now, customerId) {
      const interval = options.intervalSeconds[provider];
      if (lookbackSeconds(provider) === null) return at(now, jittered(interval));
      // The first time on the link's slot at least half an interval from now: (k + slot) · interval.
      const intervalMs = interval * 1000;
      const slot = slotOf(customerId);
      const k = Math.ceil((now.getTime() + intervalMs / 2) / intervalMs - slot);
      return new Date(Math.round((k + slot) * intervalMs)).toISOString();
    },
    nextDueAfterFailure(_provider, now, consecutiveFailures, retryAfterSeconds) {
      const exponent = Math.min(Math.max(consecutiveFailures - 1, 0), 30);
      const backoff = Math.min(options.retryBaseSeconds * 2 ** exponent, options.maxBackoffSeconds);
      return at(now, Math.max(jittered(backoff), retryAfterSeconds ?? 0));
    },
    dueSlots(provider, now) {
      const lookback = lookbackSeconds(provider);
      if (lookback === null) return null;
      const interval = options.intervalSeconds[provider];
      const fraction = (ms: number) => {
        const position = ms / 1000 / interval;
        return position - Math.floor(position);
      };
      // The slots whose times fell in (now - lookback, now]; across the end of the interval, two ranges.
      const from = fraction(now.getTime() - lookback * 1000);
      const to = fraction(now.getTime());
      return from <= to
        ? [{ from, to }]
        : [
            { from, to: 1 },
            { from: 0, to },
          ];
    },
  };
}
