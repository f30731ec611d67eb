/**
 * create-customer: POST /customers (API Gateway REST, API key checked by the gateway).
 * Wiring only; the rules live in lib/sync/create-customer.ts.
 */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { loadRuntimeConfig } from '../../lib/config/runtime.ts';
import type { ProviderName } from '../../lib/customer/snapshot.ts';
import { createLogger, createMetrics } from '../../lib/observability/index.ts';
import { createTracer } from '../../lib/observability/tracer.ts';
import type { ProviderAdapter } from '../../lib/providers/adapter.ts';
import type { CustomerStoreApi } from '../../lib/store/types.ts';
import { type Clock, systemClock } from '../../lib/sync/clock.ts';
import { handleCreateCustomer } from '../../lib/sync/create-customer.ts';
import { createIdempotencyPersistence } from '../../lib/sync/idempotency-persistence.ts';
import { type AsyncHandler, lazyHandler, withPowertools } from '../../lib/sync/lambda.ts';
import { powertoolsSyncMetrics } from '../../lib/sync/metrics.ts';
import { createRuntimeSchedule, createRuntimeStore } from '../../lib/sync/runtime-deps.ts';
import { createRuntimeAdapters } from '../../lib/sync/runtime-providers.ts';
import type { SyncSchedule } from '../../lib/sync/schedule.ts';

export { CreateCustomerBodySchema, IDEMPOTENCY_KEY_HEADER } from './schema.ts';

export const FUNCTION_NAME = 'create-customer';

export interface CreateCustomerHandlerDeps {
  store: CustomerStoreApi;
  adapters: Partial<Record<ProviderName, ProviderAdapter>>;
  schedule: SyncSchedule;
  /** Powertools persistence on the idempotency table (DynamoDBPersistenceLayer), one per process. */
  persistenceStore: BasePersistenceLayer;
  idempotencyTtlSeconds: number;
  inProgressWaitMs: number;
  createLeaseSeconds: number;
  clock?: Clock;
  logger: Logger;
  metrics?: Metrics;
  tracer?: Tracer;
}

export function createCreateCustomerHandler(
  deps: CreateCustomerHandlerDeps,
): AsyncHandler<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const metrics = deps.metrics ? powertoolsSyncMetrics(deps.metrics) : null;
  return withPowertools(async (event, context) => {
    try {
      const response = await handleCreateCustomer(
        {
          store: deps.store,
          adapters: deps.adapters,
          clock: deps.clock ?? systemClock,
          schedule: deps.schedule,
          ...(metrics ? { metrics } : {}),
          idempotency: {
            persistenceStore: deps.persistenceStore,
            ttlSeconds: deps.idempotencyTtlSeconds,
            inProgressWaitMs: deps.inProgressWaitMs,
          },
          createLeaseSeconds: deps.createLeaseSeconds,
        },
        {
          headers: event.headers,
          body: event.body,
          isBase64Encoded: event.isBase64Encoded,
          lambdaContext: context,
        },
      );
      if (response.statusCode >= 500)
        deps.logger.error('create-customer failed', { status: response.statusCode });
      return response;
    } finally {
      metrics?.flush();
    }
  }, deps);
}

export const handler = lazyHandler(async () => {
  const config = loadRuntimeConfig();
  const { store, client } = createRuntimeStore(config);
  return createCreateCustomerHandler({
    store,
    adapters: await createRuntimeAdapters(config),
    schedule: createRuntimeSchedule(config),
    persistenceStore: createIdempotencyPersistence(config, client),
    idempotencyTtlSeconds: config.sync.idempotencyTtlSeconds,
    inProgressWaitMs: config.sync.createInProgressWaitMs,
    createLeaseSeconds: config.sync.createLeaseSeconds,
    logger: createLogger(FUNCTION_NAME),
    metrics: createMetrics(config.metricsNamespace, FUNCTION_NAME),
    tracer: createTracer(FUNCTION_NAME),
  });
});
