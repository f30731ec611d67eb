/**
 * Creating one customer at one provider, shared by POST /customers and the worker's pending-create
 * messages (the scheduler retries links whose create has not succeeded yet).
 *
 * Every create is guarded by the link's create lease (`store.claimCreateAttempt`), whatever the
 * provider's own idempotency: the API request, its retries and the worker can all race for the same
 * pending link, and Palomma's lookup-by-reference and Delos (no idempotency at all) are not safe under
 * concurrency. The lease outlives the adapter's whole retry budget, so two creates never overlap.
 * A create that reached the provider but whose id was never stored (a crash, a timeout on the answer)
 * must not make a second customer: Mollie replays by Idempotency-Key, Juspay rejects the duplicate
 * reference and the adapter fetches the original, Palomma looks the reference up. Delos has none of
 * these, so every Delos attempt after the first reconciles before creating: the adapter's
 * `findCreatedCustomer` searches Delos for the marker the earlier create left, and a customer found is
 * adopted instead of created again. If that search fails, the attempt fails (retried later) rather than
 * risk a duplicate. Residual gap: an attempt that read the link before any attempt claimed it, then
 * stalled past a whole lease, does not know to reconcile.
 */
import { ulid } from 'ulid';
import type { CustomerInput } from '../customer/input.ts';
import type { ProviderName } from '../customer/snapshot.ts';
import { isProviderError } from '../http/errors.ts';
import type { ProviderAdapter } from '../providers/adapter.ts';
import type { CustomerStoreApi, ProviderLink } from '../store/types.ts';
import type { Clock } from './clock.ts';
import { AdapterMismatchError, type ErrorSummary, retryAfterOf, summarizeError } from './errors.ts';
import { noopSyncMetrics, type SyncMetrics } from './metrics.ts';
import type { SyncSchedule } from './schedule.ts';

/**
 * Margin below the pending link's creation time when searching the provider by creation time: the
 * provider's clock and ours may disagree, and it may store whole seconds.
 */
const CLOCK_SKEW_MARGIN_MS = 10 * 60 * 1000;

/**
 * Whether this create must first look for the customer an earlier attempt may have made: only for
 * providers without create idempotency that can search, and only after an attempt claimed the link.
 */
export function needsCreateReconcile(
  adapter: Pick<ProviderAdapter, 'capabilities' | 'findCreatedCustomer'>,
  link: Pick<ProviderLink, 'providerCustomerId' | 'createAttempted'>,
): boolean {
  return (
    adapter.capabilities.createIdempotency === 'none' &&
    adapter.findCreatedCustomer !== undefined &&
    link.providerCustomerId === null &&
    link.createAttempted === true
  );
}

/** The earliest time a customer made by an earlier attempt of this link can carry. */
export function reconcileCreatedAfter(link: Pick<ProviderLink, 'linkedAt'>): string {
  return new Date(Date.parse(link.linkedAt) - CLOCK_SKEW_MARGIN_MS).toISOString();
}

export type ProviderCreateStatus = 'created' | 'pending' | 'failed';

export interface ProviderCreateResult {
  status: ProviderCreateStatus;
  providerCustomerId?: string;
  /** Why it is not created (yet); absent when another attempt holds the lease. */
  error?: ErrorSummary;
}

export interface ProviderCreateOutcome {
  result: ProviderCreateResult;
  /** Whether trying again later can help (provider outage, lease held); false for a rejection. */
  retryable: boolean;
  retryAfterSeconds?: number;
}

export interface ProviderCreateDeps {
  store: CustomerStoreApi;
  adapter: ProviderAdapter;
  clock: Clock;
  schedule: SyncSchedule;
  leaseSeconds: number;
  metrics?: SyncMetrics;
  /** Unique per attempt; default a ULID. */
  newAttemptId?: () => string;
}

export async function createAtProvider(
  deps: ProviderCreateDeps,
  target: {
    customerId: string;
    input: CustomerInput;
    link: ProviderLink;
    /** Failures so far, for the backoff of the next scheduled retry. */
    consecutiveFailures: number;
  },
): Promise<ProviderCreateOutcome> {
  const { store, adapter, clock, schedule } = deps;
  const metrics = deps.metrics ?? noopSyncMetrics;
  const { customerId, input, link } = target;
  const provider: ProviderName = adapter.name;
  if (link.providerCustomerId !== null) {
    return { result: { status: 'created', providerCustomerId: link.providerCustomerId }, retryable: false };
  }
  const attemptId = (deps.newAttemptId ?? ulid)();
  const claim = await store.claimCreateAttempt({
    customerId,
    provider,
    attemptId,
    now: clock.now().toISOString(),
    leaseSeconds: deps.leaseSeconds,
  });
  if (claim === 'done') {
    const record = await store.getCustomer(customerId);
    const id = record?.links.find((item) => item.provider === provider)?.providerCustomerId ?? null;
    if (id !== null) return { result: { status: 'created', providerCustomerId: id }, retryable: false };
    // An eventually consistent read may not show the id yet; the next attempt will.
    return { result: { status: 'pending' }, retryable: true };
  }
  if (claim === 'held') return { result: { status: 'pending' }, retryable: true };

  // Only a link created without one lacks a key; a per-link constant keeps retries idempotent anyway.
  const idempotencyKey = link.createIdempotencyKey ?? `${customerId}-${provider}`;
  let snapshot: Awaited<ReturnType<ProviderAdapter['createCustomer']>>;
  try {
    const found =
      needsCreateReconcile(adapter, link) && adapter.findCreatedCustomer
        ? await adapter.findCreatedCustomer(input, idempotencyKey, {
            createdAfter: reconcileCreatedAfter(link),
          })
        : null;
    if (found) metrics.count('ProviderCreatesReconciled', provider);
    snapshot = found ?? (await adapter.createCustomer(input, idempotencyKey));
    if (snapshot.provider !== provider) {
      throw new AdapterMismatchError(`${provider} adapter returned a ${snapshot.provider} snapshot`);
    }
  } catch (error) {
    if (!isProviderError(error)) throw error;
    const now = clock.now();
    // The attempt is over: re-claiming with a zero lease releases it, so a retry need not wait it out.
    await store
      .claimCreateAttempt({ customerId, provider, attemptId, now: now.toISOString(), leaseSeconds: 0 })
      .catch(() => {});
    const failures = target.consecutiveFailures + 1;
    const retryAfterSeconds = retryAfterOf(error);
    await store.recordSyncFailure({
      customerId,
      provider,
      error: summarizeError(error),
      now: now.toISOString(),
      nextDueAt: schedule.nextDueAfterFailure(provider, now, failures, retryAfterSeconds),
    });
    metrics.count('ProviderCreateFailures', provider);
    return {
      result: { status: error.retryable ? 'pending' : 'failed', error: summarizeError(error) },
      retryable: error.retryable,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    };
  }
  const now = clock.now();
  const completed = await store.completePendingLink({
    customerId,
    snapshot,
    now: now.toISOString(),
    nextDueAt: schedule.nextDueAfterSuccess(provider, now, customerId),
  });
  metrics.count('CustomersCreatedAtProvider', provider);
  return {
    result: {
      status: 'created',
      providerCustomerId: completed.providerCustomerId ?? snapshot.providerCustomerId,
    },
    retryable: false,
  };
}
