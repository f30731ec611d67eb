/**
 * The product as `npm start` runs it (lib/local/start.ts), assembled from the same parts: the four
 * provider sandboxes over HTTP, the real adapters, the CustomerStore on DynamoDB Local, the handler
 * factories every Lambda exports (create-customer, read-api, provider-webhook, sync-scheduler,
 * sync-worker), the local API Gateway in front of them and the in-process SQS stand-in with its DLQ.
 *
 * It differs from `startLocalStack` only where a reliability test must reach in: the store can be
 * wrapped (to fail a write), the DynamoDB client configured (to throttle at the SDK), any DynamoDB
 * endpoint used (one the test stops and restarts), adapters rebuilt (rotated credentials), every sent
 * sync message is recorded, and the schedule is fast (links are due again at once) so a test's "next
 * run" needs no waiting.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createCreateCustomerHandler } from '../../../functions/create-customer/handler.ts';
import { createWebhookHandler } from '../../../functions/provider-webhook/handler.ts';
import { createReadApiHandler } from '../../../functions/read-api/handler.ts';
import { createSchedulerHandler } from '../../../functions/sync-scheduler/handler.ts';
import { createWorkerHandler } from '../../../functions/sync-worker/handler.ts';
import { stageConfig } from '../../../infra/stages.ts';
import type { ApiFunctionName } from '../../../lib/api/routes.ts';
import { loadProviderConfigs } from '../../../lib/config/providers.ts';
import { loadRuntimeConfig } from '../../../lib/config/runtime.ts';
import { loadWebhookSecrets } from '../../../lib/config/webhooks.ts';
import { PROVIDERS, type ProviderName } from '../../../lib/customer/snapshot.ts';
import { ensureTable } from '../../../lib/local/dynamodb-local.ts';
import { type RunningGateway, startGateway } from '../../../lib/local/gateway.ts';
import { createLambdaContext, type LocalHandler } from '../../../lib/local/lambda.ts';
import { type DeadLetter, LocalSyncQueue } from '../../../lib/local/queue.ts';
import { createLogger, createMetrics } from '../../../lib/observability/index.ts';
import type { ProviderAdapter } from '../../../lib/providers/adapter.ts';
import { createAdapters } from '../../../lib/providers/registry.ts';
import { createDynamoClients } from '../../../lib/store/client.ts';
import { CustomerStore } from '../../../lib/store/customer-store.ts';
import { DueLinkReader } from '../../../lib/store/due-links.ts';
import { ensureIdempotencyTable } from '../../../lib/store/idempotency-table.ts';
import type { CustomerStoreApi } from '../../../lib/store/types.ts';
import { createIdempotencyPersistence } from '../../../lib/sync/idempotency-persistence.ts';
import type { SyncMessage, SyncQueue } from '../../../lib/sync/queue.ts';
import { createSyncSchedule } from '../../../lib/sync/schedule.ts';
import type { SchedulerSummary } from '../../../lib/sync/scheduler.ts';
import { DynamoWebhookDedupe } from '../../../lib/sync/webhook-dedupe.ts';
import {
  type RunningSandbox,
  SANDBOX_CREDENTIALS,
  sandboxApiEnv,
  startSandbox,
} from '../../../sandbox/index.ts';
import { testEndpoint } from '../dynamodb.ts';

export interface ReliabilityStackOptions {
  /** DynamoDB to use; default the run's DynamoDB Local. */
  endpoint?: string;
  tablePrefix?: string;
  providers?: readonly ProviderName[];
  /** Runtime and provider variables on top of the test defaults (see `testEnv`). */
  env?: Record<string, string>;
  apiKey?: string;
  /** The API Gateway stage name the local gateway reports. */
  stage?: string;
  /** Wraps the store every handler uses (not the one `stack.store` reads through). */
  wrapStore?: (store: CustomerStoreApi) => CustomerStoreApi;
  /** Called with the DynamoDB client before first use (add SDK middleware here). */
  configureDynamo?: (client: DynamoDBClient) => void;
  /** Deliveries before the local queue dead-letters a message; default the local stage's. */
  maxReceiveCount?: number;
  /** Scales the redelivery delays the worker asks for (30 s · 2^n); default 0.01. */
  redeliveryScale?: number;
  /** Next due after a success, in seconds; default 0 (every scheduled run fetches every link). */
  intervalSeconds?: number;
  /** `console`: handlers log at DEBUG and print EMF metrics to stdout, as in Lambda. Default silent. */
  logs?: 'silent' | 'console';
  /** Demo customers per sandbox (plus the documented examples); default: empty sandboxes. */
  sandboxSeed?: number;
}

export interface ReliabilityStack {
  url: string;
  apiKey: string;
  providers: readonly ProviderName[];
  sandboxes: Record<ProviderName, RunningSandbox>;
  tableName: string;
  idempotencyTableName: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** The real store, unwrapped: what tests read through. */
  store: CustomerStore;
  /** The adapters the handlers use; `reconfigure` swaps one in place. */
  adapters: Partial<Record<ProviderName, ProviderAdapter>>;
  queue: LocalSyncQueue;
  /** Every message any handler sent to the sync queue, in order. */
  sent: SyncMessage[];
  /** Every customer fetch (adapter `getCustomer`) the handlers made, in order. */
  fetches: Array<{ provider: ProviderName; providerCustomerId: string }>;
  deadLetters(): readonly DeadLetter[];
  webhookSecrets: {
    palommaIntegrityKey: string;
    mollieSigningSecret: string;
    juspayUsername: string;
    juspayPassword: string;
    delosToken: string;
  };
  /** The provider variables the adapters were built from (base URLs, credentials, tuning). */
  env: Record<string, string>;
  /** Every secret value this stack holds: API key, provider credentials, webhook secrets. */
  secrets(): string[];
  /** Calls the API with the stack's key (or `key`, or none with `key: null`). */
  api(path: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
  /** One sync-scheduler invocation, as EventBridge Scheduler makes it. */
  runScheduler(provider: ProviderName, mode?: 'due' | 'backfill'): Promise<SchedulerSummary>;
  /** Runs the scheduler for each provider, then waits until the queue is empty (retries included). */
  syncAll(providers?: readonly ProviderName[], timeoutMs?: number): Promise<void>;
  settle(timeoutMs?: number): Promise<void>;
  /** Rebuilds one provider's adapter from the stack's env plus `overrides` (a rotated secret). */
  reconfigure(provider: ProviderName, overrides: Record<string, string>): Promise<void>;
  /** Item count and content hash of both tables. */
  digest(): Promise<TableDigest>;
  stop(): Promise<void>;
}

export interface TableDigest {
  customers: { count: number; hash: string };
  idempotency: { count: number; hash: string };
}

/**
 * Provider HTTP tuning for tests: the product's timeouts (a loaded 2-core CI box must not turn a slow
 * create into a timeout), quick retries, no client-side pacing. Tests about timeouts shorten them.
 */
export function testEnv(providers: readonly ProviderName[] = PROVIDERS): Record<string, string> {
  const env: Record<string, string> = {};
  for (const provider of providers) {
    const p = provider.toUpperCase();
    env[`${p}_RATE_LIMIT_RPS`] = 'off';
    env[`${p}_TIMEOUT_MS`] = '5000';
    env[`${p}_TOTAL_BUDGET_MS`] = '20000';
    env[`${p}_RETRY_LIMIT`] = '2';
    env[`${p}_RETRY_BACKOFF_BASE_MS`] = '20';
    env[`${p}_RETRY_MAX_BACKOFF_MS`] = '100';
    env[`${p}_MAX_RETRY_AFTER_SECONDS`] = '2';
  }
  return env;
}

let tableCounter = 0;

export async function startReliabilityStack(
  options: ReliabilityStackOptions = {},
): Promise<ReliabilityStack> {
  const providers = options.providers ?? PROVIDERS;
  const endpoint = options.endpoint ?? testEndpoint();
  const suffix = `${process.pid}-${Date.now()}-${tableCounter++}`;
  const tableName = `${options.tablePrefix ?? 'rel'}-customers-${suffix}`;
  const idempotencyTableName = `${options.tablePrefix ?? 'rel'}-idempotency-${suffix}`;
  const apiKey = options.apiKey ?? `rel-local-key-${suffix}`.padEnd(24, '0');
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const stop = async () => {
    for (const step of cleanups.splice(0).reverse()) {
      try {
        await step();
      } catch {
        // Stopping: one part failing must not keep the others running.
      }
    }
  };

  try {
    const { client, doc } = createDynamoClients({ region: 'us-east-1', endpoint });
    options.configureDynamo?.(client);
    cleanups.push(() => client.destroy());
    await ensureTable(client, tableName);
    await ensureIdempotencyTable(client, idempotencyTableName);
    cleanups.push(() =>
      Promise.allSettled(
        [tableName, idempotencyTableName].map((TableName) =>
          client.send(new DeleteTableCommand({ TableName })),
        ),
      ),
    );

    const started = await Promise.all(
      PROVIDERS.map((provider) =>
        startSandbox(provider, options.sandboxSeed === undefined ? {} : { seed: options.sandboxSeed }),
      ),
    );
    for (const sandbox of started) cleanups.push(() => sandbox.stop());
    const sandboxOf = (provider: ProviderName): RunningSandbox => {
      const sandbox = started.find((candidate) => candidate.provider === provider);
      if (!sandbox) throw new Error(`sandbox ${provider} did not start`);
      return sandbox;
    };
    const sandboxes: Record<ProviderName, RunningSandbox> = {
      palomma: sandboxOf('palomma'),
      delos: sandboxOf('delos'),
      mollie: sandboxOf('mollie'),
      juspay: sandboxOf('juspay'),
    };

    const webhookSecrets = {
      palommaIntegrityKey: SANDBOX_CREDENTIALS.palomma.webhookIntegrityKey,
      mollieSigningSecret: `rel-mollie-signing-secret-${suffix}`,
      juspayUsername: SANDBOX_CREDENTIALS.juspay.webhookUsername,
      juspayPassword: SANDBOX_CREDENTIALS.juspay.webhookPassword,
      delosToken: `rel-delos-webhook-token-${suffix}`,
    };
    const env: Record<string, string> = {
      ...sandboxApiEnv(sandboxes),
      PALOMMA_WEBHOOK_INTEGRITY_KEY: webhookSecrets.palommaIntegrityKey,
      DELOS_WEBHOOK_TOKEN: webhookSecrets.delosToken,
      MOLLIE_WEBHOOK_SECRET: webhookSecrets.mollieSigningSecret,
      JUSPAY_WEBHOOK_USERNAME: webhookSecrets.juspayUsername,
      JUSPAY_WEBHOOK_PASSWORD: webhookSecrets.juspayPassword,
      ...testEnv(),
      ...options.env,
    };
    const runtime = loadRuntimeConfig({
      ...env,
      STAGE: 'local',
      TABLE_NAME: tableName,
      IDEMPOTENCY_TABLE_NAME: idempotencyTableName,
      DYNAMODB_ENDPOINT: endpoint,
      AWS_REGION: 'us-east-1',
      HISTORY_RETENTION_DAYS: '30',
      ENABLED_PROVIDERS: providers.join(','),
    });
    const fetches: ReliabilityStack['fetches'] = [];
    const recorded = (built: Partial<Record<ProviderName, ProviderAdapter>>) => {
      for (const adapter of Object.values(built)) {
        const getCustomer = adapter.getCustomer.bind(adapter);
        adapter.getCustomer = (providerCustomerId) => {
          fetches.push({ provider: adapter.name, providerCustomerId });
          return getCustomer(providerCustomerId);
        };
      }
      return built;
    };
    const adapters: Partial<Record<ProviderName, ProviderAdapter>> = recorded(
      createAdapters(await loadProviderConfigs(env, { providers })),
    );
    const secrets = await loadWebhookSecrets(env, { providers });
    const interval = options.intervalSeconds ?? 0;
    const schedule = createSyncSchedule({
      intervalSeconds: { palomma: interval, delos: interval, mollie: interval, juspay: interval },
      retryBaseSeconds: 0.05,
      maxBackoffSeconds: 0.2,
      jitter: 0,
    });

    const store = new CustomerStore({ doc, tableName, historyRetentionDays: 30 });
    const handlerStore = options.wrapStore ? options.wrapStore(store) : store;
    const stage = stageConfig('local');
    const redeliveryScale = options.redeliveryScale ?? 0.01;
    const queue = new LocalSyncQueue({
      batchSize: stage.sync.workerBatchSize,
      concurrency: 4,
      maxReceiveCount: options.maxReceiveCount ?? stage.sync.dlqMaxReceiveCount,
      backoffMs: (receives) => Math.min(30_000 * 2 ** (receives - 1), 900_000) * redeliveryScale,
      pollMs: 20,
    });
    const sent: SyncMessage[] = [];
    const recordingQueue: SyncQueue = {
      async send(messages) {
        sent.push(...messages);
        await queue.send(messages);
      },
    };

    const logging = options.logs ?? 'silent';
    const logger = (name: string): Logger =>
      createLogger(name, { level: logging === 'console' ? 'DEBUG' : 'SILENT' });
    const metrics = (name: string): { metrics?: Metrics } =>
      logging === 'console' ? { metrics: createMetrics('CustomerSync', name) } : {};

    const worker = createWorkerHandler({
      store: handlerStore,
      adapters,
      schedule,
      createLeaseSeconds: runtime.sync.createLeaseSeconds,
      retryDelay: (handle, seconds) => queue.changeVisibility(handle, seconds * redeliveryScale),
      logger: logger('sync-worker'),
      ...metrics('sync-worker'),
    });
    const scheduler = createSchedulerHandler({
      store: handlerStore,
      dueLinks: new DueLinkReader({ doc, tableName }),
      queue: recordingQueue,
      adapters,
      schedule,
      pageSize: runtime.sync.pageSize,
      logger: logger('sync-scheduler'),
      ...metrics('sync-scheduler'),
    });
    queue.start((event) => worker(event, createLambdaContext('customer-sync-local-sync-worker', 900_000)));
    cleanups.push(() => queue.stop());

    const handlers: Record<ApiFunctionName, LocalHandler<APIGatewayProxyEvent, APIGatewayProxyResult>> = {
      'read-api': createReadApiHandler({
        store: handlerStore,
        queue: recordingQueue,
        logger: logger('read-api'),
        ...metrics('read-api'),
      }),
      'create-customer': createCreateCustomerHandler({
        store: handlerStore,
        adapters,
        schedule,
        persistenceStore: createIdempotencyPersistence(runtime, client),
        idempotencyTtlSeconds: runtime.sync.idempotencyTtlSeconds,
        inProgressWaitMs: runtime.sync.createInProgressWaitMs,
        createLeaseSeconds: runtime.sync.createLeaseSeconds,
        logger: logger('create-customer'),
        ...metrics('create-customer'),
      }),
      'provider-webhook': createWebhookHandler({
        store: handlerStore,
        queue: recordingQueue,
        dedupe: new DynamoWebhookDedupe({ doc, tableName: idempotencyTableName }),
        secrets: async () => secrets,
        toleranceSeconds: runtime.webhook.toleranceSeconds,
        dedupeTtlSeconds: runtime.webhook.dedupeTtlSeconds,
        providers,
        logger: logger('provider-webhook'),
        ...metrics('provider-webhook'),
      }),
    };
    const gateway: RunningGateway = await startGateway({
      port: 0,
      apiKey,
      handlers,
      ...(options.stage === undefined ? {} : { stage: options.stage }),
    });
    cleanups.push(() => gateway.stop());

    const settle = async (timeoutMs = 30_000) => {
      if (!(await queue.idle(timeoutMs))) throw new Error(`sync queue not idle after ${timeoutMs} ms`);
    };
    const runScheduler = (provider: ProviderName, mode: 'due' | 'backfill' = 'due') =>
      scheduler({ provider, mode }, createLambdaContext('customer-sync-local-sync-scheduler', 300_000));

    return {
      url: gateway.url,
      apiKey,
      providers,
      sandboxes,
      tableName,
      idempotencyTableName,
      client,
      doc,
      store,
      adapters,
      queue,
      sent,
      fetches,
      deadLetters: () => queue.deadLetters,
      webhookSecrets,
      env,
      secrets: () =>
        [
          apiKey,
          ...Object.values(webhookSecrets),
          env.PALOMMA_API_KEY,
          env.DELOS_PASSWORD,
          env.MOLLIE_API_KEY,
          env.JUSPAY_API_KEY,
        ].filter((value): value is string => typeof value === 'string' && value.length > 0),
      api(path, init = {}) {
        const headers = new Headers(init.headers);
        if (init.key !== null) headers.set('x-api-key', init.key ?? apiKey);
        const { key: _key, ...rest } = init;
        return fetch(`${gateway.url}${path}`, { ...rest, headers });
      },
      runScheduler,
      async syncAll(only = providers, timeoutMs = 30_000) {
        for (const provider of only) await runScheduler(provider, 'due');
        await settle(timeoutMs);
      },
      settle,
      async reconfigure(provider, overrides) {
        Object.assign(env, overrides);
        const rebuilt = recorded(createAdapters(await loadProviderConfigs(env, { providers: [provider] })))[
          provider
        ];
        if (rebuilt) adapters[provider] = rebuilt;
        else delete adapters[provider];
      },
      async digest() {
        return {
          customers: await tableDigest(doc, tableName),
          idempotency: await tableDigest(doc, idempotencyTableName),
        };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Every item of a table, in a stable order. */
export async function scanAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function tableDigest(
  doc: DynamoDBDocumentClient,
  tableName: string,
): Promise<{ count: number; hash: string }> {
  const lines = (await scanAll(doc, tableName)).map((item) => stableJson(item)).sort();
  return { count: lines.length, hash: createHash('sha256').update(lines.join('\n')).digest('hex') };
}

/** JSON with object keys sorted at every level (DynamoDB returns map attributes in any order). */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value instanceof Set) return stableJson([...value].map(stableJson).sort());
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
