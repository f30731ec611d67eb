/**
 * A sync pass run from the command line: the scheduler's planning and the worker's processing in one
 * process, with the same services they use in AWS (`runScheduledSync`, `processSyncMessage`). The
 * scheduler "sends" into an in-memory queue; the messages are then processed with bounded concurrency,
 * their links read a batch at a time as the worker reads an SQS batch's. So a link refreshed here gets
 * exactly the writes, sync state and next due time the worker would give it.
 */

import { forEachConcurrent } from '../concurrency.ts';
import type { ProviderName } from '../customer/snapshot.ts';
import type { ProviderAdapter } from '../providers/adapter.ts';
import type { CustomerStoreApi, DueLinksApi, LinkForSync } from '../store/types.ts';
import type { Clock } from '../sync/clock.ts';
import type { SyncMetrics } from '../sync/metrics.ts';
import type { SyncMessage, SyncQueue } from '../sync/queue.ts';
import type { SyncSchedule } from '../sync/schedule.ts';
import { runScheduledSync } from '../sync/scheduler.ts';
import { processSyncMessage } from '../sync/worker.ts';
import { isError, summarizeError } from './errors.ts';
import type { Progress } from './progress.ts';

export interface ProviderSyncSummary {
  provider: ProviderName;
  /** Links the scheduler found due (pending creates included). */
  due: number;
  /** Links fetched from the provider with an answer stored: changed + unchanged + stale. */
  fetched: number;
  changed: number;
  unchanged: number;
  /** Fetched, but older than what is stored: nothing written. */
  stale: number;
  /** The provider answered 404/410: link marked gone, data kept. */
  gone: number;
  /** Pending links created at the provider in this pass. */
  created: number;
  /** Pending links whose create is still not done (lease held elsewhere). */
  pending: number;
  failed: number;
  /** Due links another run synced first. */
  skipped: number;
  /** Backfill only: customers listed at the provider, and how many were new and imported. */
  scanned?: number;
  imported?: number;
  /** Failure counts by error type (no customer data). */
  errors: Record<string, number>;
}

export interface SyncPassDeps {
  store: CustomerStoreApi;
  dueLinks: DueLinksApi;
  adapters: Partial<Record<ProviderName, ProviderAdapter>>;
  clock: Clock;
  schedule: SyncSchedule;
  metrics: SyncMetrics;
  pageSize: number;
  createLeaseSeconds: number;
}

export interface SyncPassOptions {
  providers: readonly ProviderName[];
  backfill: boolean;
  /** Every active or pending link, due or not (a refresh of everything now). */
  all?: boolean;
  concurrency: number;
  progress: Progress;
  signal?: AbortSignal;
}

const EVERYTHING_DUE_BY = '9999-12-31T23:59:59.999Z';

const emptySummary = (provider: ProviderName): ProviderSyncSummary => ({
  provider,
  due: 0,
  fetched: 0,
  changed: 0,
  unchanged: 0,
  stale: 0,
  gone: 0,
  created: 0,
  pending: 0,
  failed: 0,
  skipped: 0,
  errors: {},
});

export async function runSyncPass(
  deps: SyncPassDeps,
  options: SyncPassOptions,
): Promise<ProviderSyncSummary[]> {
  const summaries: ProviderSyncSummary[] = [];
  for (const provider of options.providers) {
    if (options.signal?.aborted) break;
    summaries.push(await syncProvider(deps, provider, options));
  }
  return summaries;
}

async function syncProvider(
  deps: SyncPassDeps,
  provider: ProviderName,
  options: SyncPassOptions,
): Promise<ProviderSyncSummary> {
  const summary = emptySummary(provider);
  const fail = (type: string) => {
    summary.failed++;
    summary.errors[type] = (summary.errors[type] ?? 0) + 1;
  };
  const messages: SyncMessage[] = [];
  const queue: SyncQueue = {
    async send(batch) {
      messages.push(...batch);
      options.progress.grow(batch.length);
    },
  };
  const schedulerDeps = {
    store: deps.store,
    dueLinks: deps.dueLinks,
    queue,
    adapters: deps.adapters,
    clock: deps.clock,
    schedule: deps.schedule,
    metrics: deps.metrics,
    pageSize: deps.pageSize,
  };
  if (options.backfill) {
    const backfill = await runScheduledSync(schedulerDeps, { provider, mode: 'backfill' });
    summary.scanned = backfill.scanned ?? 0;
    summary.imported = backfill.imported ?? 0;
  }
  // The due run reads the clock only to pick links due by "now": a far-future now picks every link.
  const planClock: Clock = options.all ? { now: () => new Date(EVERYTHING_DUE_BY) } : deps.clock;
  await runScheduledSync({ ...schedulerDeps, clock: planClock }, { provider, mode: 'due' });
  summary.due = messages.length;

  const workerDeps = {
    store: deps.store,
    adapters: deps.adapters,
    clock: deps.clock,
    schedule: deps.schedule,
    metrics: deps.metrics,
    createLeaseSeconds: deps.createLeaseSeconds,
  };
  const readLink = batchedLinkReads(deps.store, messages);
  await forEachConcurrent(
    messages,
    options.concurrency,
    async (message, index) => {
      try {
        const read = await readLink(index);
        const outcome = await processSyncMessage(workerDeps, message, read === undefined ? {} : { read });
        switch (outcome) {
          case 'changed':
          case 'unchanged':
          case 'stale':
            summary.fetched++;
            summary[outcome]++;
            break;
          case 'gone':
            summary.gone++;
            break;
          case 'created':
            summary.created++;
            break;
          case 'create-pending':
            summary.pending++;
            break;
          case 'skipped':
            summary.skipped++;
            break;
          case 'failed':
          case 'create-failed':
            // Non-retryable provider failures are recorded on the sync state rather than thrown.
            fail(await recordedErrorName(deps.store, message));
            break;
        }
      } catch (error) {
        // Retryable provider failures (recorded on the sync state too), poison messages, store errors.
        fail(errorType(error));
      } finally {
        options.progress.tick();
      }
    },
    options.signal,
  );
  return summary;
}

/** Messages whose links one `getLinksForSync` reads (one BatchGetItem of 100 keys). */
export const LINK_READ_BATCH = 50;

/**
 * `messages[i]`'s link, read with its batch of `LINK_READ_BATCH` on first need, the next batch read
 * ahead, and each batch dropped once every one of its messages took its read; so ask for each index
 * once, in order (as `forEachConcurrent` hands them out). Undefined where the batch read failed: that
 * message reads its own link (and reports what fails), as in the worker.
 */
export function batchedLinkReads(
  store: CustomerStoreApi,
  messages: readonly SyncMessage[],
): (index: number) => Promise<LinkForSync | null | undefined> {
  const batches = new Map<number, { reads: Promise<(LinkForSync | null)[] | null>; left: number }>();
  const start = (first: number) => {
    if (first >= messages.length || batches.has(first)) return;
    const targets = messages.slice(first, first + LINK_READ_BATCH);
    batches.set(first, { reads: store.getLinksForSync(targets).catch(() => null), left: targets.length });
  };
  return async (index) => {
    const first = index - (index % LINK_READ_BATCH);
    start(first);
    start(first + LINK_READ_BATCH);
    const batch = batches.get(first);
    if (!batch) return undefined;
    if (--batch.left === 0) batches.delete(first);
    const reads = await batch.reads;
    return reads ? (reads[index - first] ?? null) : undefined;
  };
}

/** The provider error behind a wrapped one (TransientSyncError carries it as its cause). */
function errorType(error: unknown): string {
  const cause = isError(error) ? error.cause : undefined;
  if (cause && typeof cause === 'object' && 'name' in cause && typeof cause.name === 'string')
    return cause.name;
  return summarizeError(error).type;
}

async function recordedErrorName(store: CustomerStoreApi, message: SyncMessage): Promise<string> {
  const record = await store.getCustomer(message.customerId).catch(() => null);
  const state = record?.syncStates.find((item) => item.provider === message.provider);
  return state?.lastError?.name ?? 'ProviderError';
}
