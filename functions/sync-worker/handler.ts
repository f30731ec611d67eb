/**
 * sync-worker: SQS batch → one refresh (or pending create) per message, partial batch failures.
 * Wiring only; the rules live in lib/sync/worker.ts.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadRuntimeConfig } from '../../lib/config/runtime.ts';
import type { ProviderName } from '../../lib/customer/snapshot.ts';
import { createLogger, createMetrics } from '../../lib/observability/index.ts';
import { createTracer } from '../../lib/observability/tracer.ts';
import type { ProviderAdapter } from '../../lib/providers/adapter.ts';
import type { CustomerStoreApi } from '../../lib/store/types.ts';
import { type Clock, systemClock } from '../../lib/sync/clock.ts';
import { type AsyncHandler, lazyHandler, withPowertools } from '../../lib/sync/lambda.ts';
import { noopSyncMetrics, powertoolsSyncMetrics } from '../../lib/sync/metrics.ts';
import { queueUrlFromArn, sqsRetryDelay } from '../../lib/sync/queue.ts';
import {
  createRuntimeSchedule,
  createRuntimeSqsClient,
  createRuntimeStore,
} from '../../lib/sync/runtime-deps.ts';
import { createRuntimeAdapters } from '../../lib/sync/runtime-providers.ts';
import type { SyncSchedule } from '../../lib/sync/schedule.ts';
import { processSyncBatch } from '../../lib/sync/worker.ts';

export { SyncMessageSchema } from './schema.ts';

export const FUNCTION_NAME = 'sync-worker';

export interface SyncWorkerHandlerDeps {
  store: CustomerStoreApi;
  adapters: Partial<Record<ProviderName, ProviderAdapter>>;
  schedule: SyncSchedule;
  /** Lease of a pending create at one provider (seconds). */
  createLeaseSeconds: number;
  clock?: Clock;
  /** Postpones a failed message's redelivery (SQS ChangeMessageVisibility); omit locally. */
  retryDelay?: (receiptHandle: string, seconds: number, eventSourceArn: string) => Promise<void>;
  logger: Logger;
  metrics?: Metrics;
  tracer?: Tracer;
}

export function createWorkerHandler(deps: SyncWorkerHandlerDeps): AsyncHandler<SQSEvent, SQSBatchResponse> {
  const metrics = deps.metrics ? powertoolsSyncMetrics(deps.metrics) : null;
  const { retryDelay } = deps;
  return withPowertools(async (event, context) => {
    // One ARN per batch: an event source mapping reads one queue.
    const sourceArn = event.Records[0]?.eventSourceARN ?? '';
    try {
      return await processSyncBatch(
        {
          store: deps.store,
          adapters: deps.adapters,
          clock: deps.clock ?? systemClock,
          schedule: deps.schedule,
          metrics: metrics ?? noopSyncMetrics,
          createLeaseSeconds: deps.createLeaseSeconds,
          ...(retryDelay ? { retryDelay: (handle, seconds) => retryDelay(handle, seconds, sourceArn) } : {}),
          onRecordFailure: (error, message) =>
            deps.logger.warn('sync message failed', {
              error,
              customerId: message?.customerId,
              provider: message?.provider,
              reason: message?.reason,
            }),
        },
        event,
        context,
      );
    } finally {
      metrics?.flush();
    }
  }, deps);
}

export const handler = lazyHandler(async () => {
  const config = loadRuntimeConfig();
  const { store } = createRuntimeStore(config);
  const sqs = createRuntimeSqsClient(config);
  const providers = config.workerProvider ? [config.workerProvider] : config.enabledProviders;
  return createWorkerHandler({
    store,
    adapters: await createRuntimeAdapters(config, providers),
    schedule: createRuntimeSchedule(config),
    createLeaseSeconds: config.sync.createLeaseSeconds,
    retryDelay: (handle, seconds, arn) => sqsRetryDelay(sqs, queueUrlFromArn(arn))(handle, seconds),
    logger: createLogger(FUNCTION_NAME),
    metrics: createMetrics(config.metricsNamespace, FUNCTION_NAME),
    tracer: createTracer(FUNCTION_NAME),
  });
});
