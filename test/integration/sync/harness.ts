/**
 * The real parts wired together for the sync integration tests: the CustomerStore on a fresh DynamoDB
 * Local table, the real adapters against the four sandboxes over HTTP, Powertools idempotency on its
 * own table, and an in-memory queue the tests drain into the worker.
 */
import type { SQSEvent } from 'aws-lambda';
import { loadProviderConfigs } from '../../../lib/config/providers.ts';
import { PROVIDERS, type ProviderName } from '../../../lib/customer/snapshot.ts';
import type { ProviderAdapter } from '../../../lib/providers/adapter.ts';
import { createAdapters } from '../../../lib/providers/registry.ts';
import { CustomerStore } from '../../../lib/store/customer-store.ts';
import { DueLinkReader } from '../../../lib/store/due-links.ts';
import { systemClock } from '../../../lib/sync/clock.ts';
import type { CreateCustomerDeps } from '../../../lib/sync/create-customer.ts';
import { SyncMetricsRecorder } from '../../../lib/sync/metrics.ts';
import { InMemorySyncQueue, type SyncMessage } from '../../../lib/sync/queue.ts';
import { createSyncSchedule } from '../../../lib/sync/schedule.ts';
import type { WorkerDeps } from '../../../lib/sync/worker.ts';
import { type RunningSandboxes, sandboxApiEnv, startSandboxes } from '../../../sandbox/index.ts';
import { createTestTable, type TestTable } from '../../helpers/dynamodb.ts';
import { createIdempotencyTestTable, type IdempotencyTestTable } from '../../unit/sync/idempotency-table.ts';

export interface SyncHarness {
  sandboxes: RunningSandboxes['sandboxes'];
  table: TestTable;
  idempotency: IdempotencyTestTable;
  store: CustomerStore;
  dueLinks: DueLinkReader;
  adapters: Partial<Record<ProviderName, ProviderAdapter>>;
  queue: InMemorySyncQueue;
  metrics: SyncMetricsRecorder;
  createDeps(): CreateCustomerDeps;
  workerDeps(): WorkerDeps;
  stop(): Promise<void>;
}

export const schedule = createSyncSchedule({
  intervalSeconds: { palomma: 3600, delos: 3600, mollie: 3600, juspay: 3600 },
  retryBaseSeconds: 60,
  maxBackoffSeconds: 3600,
  jitter: 0,
});

export async function startSyncHarness(): Promise<SyncHarness> {
  const running = await startSandboxes();
  const { sandboxes } = running;
  const table = await createTestTable('sync');
  const idempotency = await createIdempotencyTestTable();
  const env: Record<string, string> = sandboxApiEnv(sandboxes);
  for (const provider of PROVIDERS) {
    const p = provider.toUpperCase();
    // Fail fast in tests: an outage is one failed request, not a retry budget.
    env[`${p}_RETRY_LIMIT`] = '0';
    env[`${p}_TIMEOUT_MS`] = '3000';
    env[`${p}_RATE_LIMIT_RPS`] = 'off';
  }
  const adapters = createAdapters(await loadProviderConfigs(env, { providers: PROVIDERS }));
  const store = new CustomerStore({ doc: table.doc, tableName: table.tableName, historyRetentionDays: 30 });
  const dueLinks = new DueLinkReader({ doc: table.doc, tableName: table.tableName });
  const queue = new InMemorySyncQueue();
  const metrics = new SyncMetricsRecorder();
  const persistenceStore = idempotency.persistence();
  return {
    sandboxes,
    table,
    idempotency,
    store,
    dueLinks,
    adapters,
    queue,
    metrics,
    createDeps: () => ({
      store,
      adapters,
      clock: systemClock,
      schedule,
      metrics,
      idempotency: { persistenceStore, ttlSeconds: 3600, inProgressWaitMs: 20_000 },
      createLeaseSeconds: 60,
    }),
    workerDeps: () => ({ store, adapters, clock: systemClock, schedule, metrics, createLeaseSeconds: 60 }),
    async stop() {
      await running.stop();
      await table.drop();
      await idempotency.drop();
    },
  };
}

let sequence = 0;
/** An SQS event as Lambda delivers it, sent "now". */
export function sqsEvent(messages: SyncMessage[]): SQSEvent {
  return {
    Records: messages.map((message) => {
      sequence++;
      return {
        messageId: `msg-${sequence}`,
        receiptHandle: `rh-${sequence}`,
        body: JSON.stringify(message),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'test',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:sync',
        awsRegion: 'us-east-1',
      };
    }),
  };
}
