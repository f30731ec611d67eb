/**
 * read-api: GET /customers, GET /customers/{id}, GET /customers/{id}/history,
 * POST /customers/{id}/links, GET /openapi.json. Wiring only; the routes live in lib/api/read-api.ts.
 * Reads no secrets: it needs the table and, to fetch new links at once, the sync queue.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createReadApi } from '../../lib/api/read-api.ts';
import { loadRuntimeConfig } from '../../lib/config/runtime.ts';
import { createLogger, createMetrics } from '../../lib/observability/index.ts';
import { createTracer } from '../../lib/observability/tracer.ts';
import type { CustomerStoreApi } from '../../lib/store/types.ts';
import { type AsyncHandler, lazyHandler, withPowertools } from '../../lib/sync/lambda.ts';
import type { SyncQueue } from '../../lib/sync/queue.ts';
import {
  createRuntimeQueue,
  createRuntimeSqsClient,
  createRuntimeStore,
} from '../../lib/sync/runtime-deps.ts';

export const FUNCTION_NAME = 'read-api';

export interface ReadApiHandlerDeps {
  store: CustomerStoreApi;
  /** When given, POST /customers/{id}/links queues a fetch at once; else the next scheduled run does it. */
  queue?: SyncQueue | undefined;
  logger: Logger;
  metrics?: Metrics;
  tracer?: Tracer;
}

export function createReadApiHandler(
  deps: ReadApiHandlerDeps,
): AsyncHandler<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const api = createReadApi({ store: deps.store, queue: deps.queue, logger: deps.logger });
  return withPowertools(async (event) => {
    const result = await api(event);
    const outcome =
      result.statusCode >= 500 ? 'ServerError' : result.statusCode >= 400 ? 'ClientError' : 'Success';
    deps.metrics?.addMetric(`Api${outcome}`, MetricUnit.Count, 1);
    return result;
  }, deps);
}

export const handler = lazyHandler(async () => {
  const config = loadRuntimeConfig();
  const { store } = createRuntimeStore(config);
  const hasQueue = Object.keys(config.queueUrls).length > 0;
  return createReadApiHandler({
    store,
    queue: hasQueue ? createRuntimeQueue(config, createRuntimeSqsClient(config)) : undefined,
    logger: createLogger(FUNCTION_NAME),
    metrics: createMetrics(config.metricsNamespace, FUNCTION_NAME),
    tracer: createTracer(FUNCTION_NAME),
  });
});
