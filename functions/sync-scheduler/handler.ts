/**
 * sync-scheduler: EventBridge schedules invoke it with `{ provider, mode: 'due', shard }` (one per
 * provider and due-index shard) or `{ provider, mode: 'backfill' }`; it enqueues the due links of that
 * shard (all shards without one), or imports unknown provider customers. A due run stops paging
 * `safetyMarginMs` before the Lambda timeout, so it ends with a summary rather than being killed.
 * Wiring only; the rules live in lib/sync/scheduler.ts.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { loadRuntimeConfig } from '../../lib/config/runtime.ts';
import type { ProviderName } from '../../lib/customer/snapshot.ts';
import { createLogger, createMetrics } from '../../lib/observability/index.ts';
import { createTracer } from '../../lib/observability/tracer.ts';
import type { ProviderAdapter } from '../../lib/providers/adapter.ts';
import { DueLinkReader } from '../../lib/store/due-links.ts';
import type { CustomerStoreApi, DueLinksApi } from '../../lib/store/types.ts';
import { type Clock, systemClock } from '../../lib/sync/clock.ts';
import { type AsyncHandler, lazyHandler, withPowertools } from '../../lib/sync/lambda.ts';
import { noopSyncMetrics, powertoolsSyncMetrics } from '../../lib/sync/metrics.ts';
import type { SyncQueue } from '../../lib/sync/queue.ts';
import {
  createRuntimeQueue,
  createRuntimeSchedule,
  createRuntimeSqsClient,
  createRuntimeStore,
} from '../../lib/sync/runtime-deps.ts';
import { createRuntimeAdapters } from '../../lib/sync/runtime-providers.ts';
import type { SyncSchedule } from '../../lib/sync/schedule.ts';
import { type AdapterSource, runScheduledSync, type SchedulerSummary } from '../../lib/sync/scheduler.ts';
import { SchedulerEventSchema } from './schema.ts';

export const FUNCTION_NAME = 'sync-scheduler';
/** Time kept back from the Lambda timeout: the page in flight, the summary and the metrics flush. */
export const SCHEDULER_SAFETY_MARGIN_MS = 20_000;

export interface SyncSchedulerHandlerDeps {
  store: CustomerStoreApi;
  queue: SyncQueue;
  /** Used by backfill runs only (providers with a list endpoint): a map or a loader. */
  adapters: AdapterSource;
  /** The due index's reads, for due runs. */
  dueLinks: DueLinksApi;
  schedule: SyncSchedule;
  /** Due links per store page. */
  pageSize: number;
  clock?: Clock;
  /** Default SCHEDULER_SAFETY_MARGIN_MS. */
  safetyMarginMs?: number;
  logger: Logger;
  metrics?: Metrics;
  tracer?: Tracer;
}

export function createSchedulerHandler(
  deps: SyncSchedulerHandlerDeps,
): AsyncHandler<unknown, SchedulerSummary> {
  const metrics = deps.metrics ? powertoolsSyncMetrics(deps.metrics) : null;
  const margin = deps.safetyMarginMs ?? SCHEDULER_SAFETY_MARGIN_MS;
  return withPowertools(async (event, context) => {
    // A malformed event is a misconfigured schedule: fail loudly (the scheduler's DLQ keeps it).
    const parsed = SchedulerEventSchema.parse(event);
    try {
      const summary = await runScheduledSync(
        {
          store: deps.store,
          dueLinks: deps.dueLinks,
          queue: deps.queue,
          adapters: deps.adapters,
          clock: deps.clock ?? systemClock,
          schedule: deps.schedule,
          metrics: metrics ?? noopSyncMetrics,
          pageSize: deps.pageSize,
          remainingMs: () => context.getRemainingTimeInMillis() - margin,
        },
        parsed,
      );
      deps.logger.info('scheduled sync run', { ...summary });
      return summary;
    } finally {
      metrics?.flush();
    }
  }, deps);
}

export const handler = lazyHandler(async () => {
  const config = loadRuntimeConfig();
  const { store, doc } = createRuntimeStore(config);
  // Only backfill runs need an adapter, and only those providers get credentials: load on first use.
  const loaded = new Map<ProviderName, Promise<ProviderAdapter | undefined>>();
  const adapters = (provider: ProviderName) => {
    let adapter = loaded.get(provider);
    if (!adapter) {
      adapter = createRuntimeAdapters(config, [provider]).then((map) => map[provider]);
      adapter.catch(() => loaded.delete(provider));
      loaded.set(provider, adapter);
    }
    return adapter;
  };
  return createSchedulerHandler({
    store,
    dueLinks: new DueLinkReader({ doc, tableName: config.store.tableName }),
    queue: createRuntimeQueue(config, createRuntimeSqsClient(config)),
    adapters,
    schedule: createRuntimeSchedule(config),
    pageSize: config.sync.pageSize,
    logger: createLogger(FUNCTION_NAME),
    metrics: createMetrics(config.metricsNamespace, FUNCTION_NAME),
    tracer: createTracer(FUNCTION_NAME),
  });
});
