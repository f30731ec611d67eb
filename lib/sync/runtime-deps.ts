/**
 * Builds the sync services' dependencies from the runtime configuration: what each handler's default
 * export uses in AWS (the local runtime and the tests pass their own to the handler factories).
 * Clients are created once per process by the callers (module scope in the handlers). What only the
 * provider-calling handlers need is in runtime-providers.ts, so the others bundle none of it.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { queueUrlFor, type RuntimeConfig } from '../config/runtime.ts';
import { createDynamoClients } from '../store/client.ts';
import { CustomerStore } from '../store/customer-store.ts';
import { SqsSyncQueue } from './queue.ts';
import { createSyncSchedule, type SyncSchedule } from './schedule.ts';

export function createRuntimeStore(config: RuntimeConfig) {
  const clients = createDynamoClients({ region: config.store.region, endpoint: config.store.endpoint });
  const store = new CustomerStore({
    doc: clients.doc,
    tableName: config.store.tableName,
    historyRetentionDays: config.store.historyRetentionDays,
  });
  return { ...clients, store };
}

/**
 * The schedule of the deployed functions: links due on slots where the refresh interval is well above
 * the due runs' period (lib/sync/schedule.ts). `slots: false` for a runtime whose due runs come once per
 * refresh interval and plan every link (the local runtime).
 */
export function createRuntimeSchedule(config: RuntimeConfig, { slots = true } = {}): SyncSchedule {
  return createSyncSchedule({
    intervalSeconds: config.sync.intervalSeconds,
    ...(slots ? { dueRunSeconds: config.sync.dueRunSeconds } : {}),
    retryBaseSeconds: config.sync.retryBaseSeconds,
    maxBackoffSeconds: config.sync.maxBackoffSeconds,
  });
}

export function createRuntimeSqsClient(config: RuntimeConfig): SQSClient {
  return new SQSClient({
    region: config.store.region,
    ...(config.sqsEndpoint ? { endpoint: config.sqsEndpoint } : {}),
  });
}

export function createRuntimeQueue(config: RuntimeConfig, client: SQSClient): SqsSyncQueue {
  return new SqsSyncQueue({ client, queueUrlFor: (provider) => queueUrlFor(config, provider) });
}
