/**
 * provider-webhook: POST /webhooks/{provider} (no API key: the function authenticates the provider).
 * Wiring only; the rules live in lib/sync/webhook.ts.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { loadRuntimeConfig } from '../../lib/config/runtime.ts';
import { cachedWebhookSecrets, type WebhookSecrets } from '../../lib/config/webhooks.ts';
import type { ProviderName } from '../../lib/customer/snapshot.ts';
import { createLogger, createMetrics } from '../../lib/observability/index.ts';
import type { CustomerStoreApi } from '../../lib/store/types.ts';
import { type Clock, systemClock } from '../../lib/sync/clock.ts';
import { type AsyncHandler, lazyHandler, withPowertools } from '../../lib/sync/lambda.ts';
import { powertoolsSyncMetrics } from '../../lib/sync/metrics.ts';
import type { SyncQueue } from '../../lib/sync/queue.ts';
import {
  createRuntimeQueue,
  createRuntimeSqsClient,
  createRuntimeStore,
} from '../../lib/sync/runtime-deps.ts';
import { handleWebhook } from '../../lib/sync/webhook.ts';
import { DynamoWebhookDedupe, type WebhookDedupe } from '../../lib/sync/webhook-dedupe.ts';

export { WebhookPathSchema } from './schema.ts';

export const FUNCTION_NAME = 'provider-webhook';

export interface ProviderWebhookHandlerDeps {
  store: Pick<CustomerStoreApi, 'findByProviderId' | 'findByReference' | 'getCustomer'>;
  queue: SyncQueue;
  dedupe: WebhookDedupe;
  /** Current webhook secrets; `cachedWebhookSecrets()` re-reads them every few minutes. */
  secrets: () => Promise<WebhookSecrets>;
  toleranceSeconds: number;
  dedupeTtlSeconds: number;
  /** Providers whose webhooks are taken; others answer 404. Default: all. */
  providers?: readonly ProviderName[];
  clock?: Clock;
  logger: Logger;
  metrics?: Metrics;
}

export function createWebhookHandler(
  deps: ProviderWebhookHandlerDeps,
): AsyncHandler<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const metrics = deps.metrics ? powertoolsSyncMetrics(deps.metrics) : null;
  // No tracer: this function answers in milliseconds and calls nothing worth a trace but DynamoDB/SQS.
  return withPowertools(
    async (event) => {
      try {
        const response = await handleWebhook(
          {
            store: deps.store,
            queue: deps.queue,
            dedupe: deps.dedupe,
            secrets: deps.secrets,
            clock: deps.clock ?? systemClock,
            toleranceSeconds: deps.toleranceSeconds,
            dedupeTtlSeconds: deps.dedupeTtlSeconds,
            ...(deps.providers ? { providers: deps.providers } : {}),
            ...(metrics ? { metrics } : {}),
            onRejected: (provider, reason) => deps.logger.warn('webhook refused', { provider, reason }),
          },
          {
            provider: event.pathParameters?.provider,
            headers: event.headers,
            query: event.queryStringParameters,
            body: event.body,
            isBase64Encoded: event.isBase64Encoded,
          },
        );
        if (response.statusCode >= 500) deps.logger.error('webhook failed', { status: response.statusCode });
        return response;
      } finally {
        metrics?.flush();
      }
    },
    { logger: deps.logger, ...(deps.metrics ? { metrics: deps.metrics } : {}) },
  );
}

export const handler = lazyHandler(async () => {
  const config = loadRuntimeConfig();
  const { store, doc } = createRuntimeStore(config);
  return createWebhookHandler({
    store,
    queue: createRuntimeQueue(config, createRuntimeSqsClient(config)),
    dedupe: new DynamoWebhookDedupe({ doc, tableName: config.idempotencyTableName }),
    secrets: cachedWebhookSecrets(undefined, { providers: config.enabledProviders }),
    toleranceSeconds: config.webhook.toleranceSeconds,
    dedupeTtlSeconds: config.webhook.dedupeTtlSeconds,
    providers: config.enabledProviders,
    logger: createLogger(FUNCTION_NAME),
    metrics: createMetrics(config.metricsNamespace, FUNCTION_NAME),
  });
});
