/**
 * Refreshing one linked customer from one provider: fetch (the adapter normalizes), then write by the
 * store's rules, from the link the worker read. The unit of work of the sync worker.
 *
 * Provider failures are recorded on the link's sync state with a backed-off next due time and reported
 * as 'failed' (with the error, so the worker can decide whether SQS should retry); a 404/410 marks the
 * link gone and keeps its data. Store failures (throttling after the SDK's retries, contention) are not
 * the customer's state: they propagate, so the caller retries the whole refresh.
 */
import type { CustomerSnapshot, ProviderName } from '../customer/snapshot.ts';
import { type AnyProviderError, isNotFound, isProviderError } from '../http/errors.ts';
import type { ProviderAdapter } from '../providers/adapter.ts';
import type { CustomerStoreApi, SnapshotBasis } from '../store/types.ts';
import type { Clock } from './clock.ts';
import { AdapterMismatchError, retryAfterOf, summarizeError } from './errors.ts';
import { noopSyncMetrics, type SyncMetrics } from './metrics.ts';
import type { SyncSchedule } from './schedule.ts';

export type RefreshOutcome = 'changed' | 'unchanged' | 'stale' | 'gone' | 'failed';

export interface RefreshDeps {
  store: CustomerStoreApi;
  adapter: ProviderAdapter;
  clock: Clock;
  schedule: SyncSchedule;
  metrics?: SyncMetrics;
}

export interface RefreshTarget {
  customerId: string;
  providerCustomerId: string;
  /** Failures before this attempt (from the sync state), for the backoff; default 0. */
  consecutiveFailures?: number;
  /** The link as the caller read it (`getLinksForSync`): the write then skips its own reads. */
  basis?: SnapshotBasis | null;
}

export interface RefreshReport {
  outcome: RefreshOutcome;
  /** The link's version after the write; null when nothing was written. */
  version: number | null;
  /** The provider error behind 'failed'. */
  error: AnyProviderError | null;
  /** Seconds the provider asked us to wait (rate limits). */
  retryAfterSeconds?: number;
}

export async function refreshLink(deps: RefreshDeps, target: RefreshTarget): Promise<RefreshReport> {
  const { store, adapter, clock, schedule } = deps;
  const metrics = deps.metrics ?? noopSyncMetrics;
  const provider: ProviderName = adapter.name;
  const { customerId } = target;

  let snapshot: CustomerSnapshot;
  try {
    snapshot = await adapter.getCustomer(target.providerCustomerId);
  } catch (error) {
    if (!isProviderError(error)) throw error;
    const now = clock.now();
    if (isNotFound(error)) {
      await store.markGone({ customerId, provider, now: now.toISOString() });
      metrics.count('CustomersGone', provider);
      return { outcome: 'gone', version: null, error: null };
    }
    const retryAfterSeconds = retryAfterOf(error);
    await store.recordSyncFailure({
      customerId,
      provider,
      error: summarizeError(error),
      now: now.toISOString(),
      nextDueAt: schedule.nextDueAfterFailure(
        provider,
        now,
        (target.consecutiveFailures ?? 0) + 1,
        retryAfterSeconds,
      ),
    });
    metrics.count('SyncFailures', provider);
    return {
      outcome: 'failed',
      version: null,
      error,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    };
  }
  if (snapshot.provider !== provider) {
    throw new AdapterMismatchError(`${provider} adapter returned a ${snapshot.provider} snapshot`);
  }

  const now = clock.now();
  const written = await store.writeSnapshot({
    customerId,
    snapshot,
    now: now.toISOString(),
    nextDueAt: schedule.nextDueAfterSuccess(provider, now, customerId),
    basis: target.basis ?? null,
  });
  if (written.result === 'no-link') {
    // The link lost its id between our read and this write (it never does today): nothing was stored.
    return { outcome: 'stale', version: null, error: null };
  }
  metrics.count('CustomersSynced', provider);
  if (written.result === 'changed') metrics.count('CustomersChanged', provider);
  return { outcome: written.result, version: written.version, error: null };
}
