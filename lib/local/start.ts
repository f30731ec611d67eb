/**
 * The whole product on a laptop, one command (`npm start`), no AWS and no provider accounts:
 *
 * - DynamoDB Local (data in `<dataDir>/dynamodb`), with the customers and idempotency tables built from
 *   the same definitions the CDK stack deploys;
 * - the four provider sandboxes, seeded with demo customers (a provider whose `<PROVIDER>_BASE_URL` is
 *   set is used instead of its sandbox);
 * - an API Gateway stand-in on `http://127.0.0.1:3000` in front of the SAME handler factories the
 *   Lambdas export (read-api, create-customer, provider-webhook), checking `x-api-key`;
 * - the schedules of the `local` stage (infra/stages.ts) invoking the sync-scheduler handler, and an
 *   in-process SQS stand-in feeding the sync-worker handler (partial batch failures, backoff, DLQ).
 *
 * On start the sandboxes' demo customers are linked once (backfill where the provider can list, a
 * direct import of the sandbox's customers where it cannot), so the schedules have something to sync.
 * The console shows the URLs, the API key, one line per request and one per sync run; the handlers'
 * own JSON logs go to `<dataDir>/logs/handlers.log` (see logs.ts). Ctrl-C / SIGTERM stop everything in
 * order (timers, queue drain, gateway, sandboxes, DynamoDB Local) and exit 0.
 *
 * The sandboxes keep their state in memory: customers created at a sandbox during a run are gone after
 * a restart, while DynamoDB keeps their links, so the next sync marks those links gone. The seeded demo
 * customers have fixed ids and survive restarts.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCreateCustomerHandler } from '../../functions/create-customer/handler.ts';
import { createWebhookHandler } from '../../functions/provider-webhook/handler.ts';
import { createReadApiHandler } from '../../functions/read-api/handler.ts';
import { createSchedulerHandler } from '../../functions/sync-scheduler/handler.ts';
import { createWorkerHandler } from '../../functions/sync-worker/handler.ts';
import { enabledProviders, intervalSeconds, perWorkerRateLimit, stageConfig } from '../../infra/stages.ts';
import {
  type RunningSandbox,
  SANDBOX_CREDENTIALS,
  SANDBOX_DEFAULT_PORTS,
  sandboxApiEnv,
  startSandboxPreferringPort,
} from '../../sandbox/index.ts';
import { ConfigError } from '../config/env.ts';
import { type LocalConfig, loadLocalConfig } from '../config/local.ts';
import { loadProviderConfigs } from '../config/providers.ts';
import { loadRuntimeConfig, type RuntimeConfig } from '../config/runtime.ts';
import { loadWebhookSecrets } from '../config/webhooks.ts';
import { PROVIDERS, type ProviderName } from '../customer/snapshot.ts';
import type { ProviderAdapter } from '../providers/adapter.ts';
import { createAdapters } from '../providers/registry.ts';
import { createDynamoClients } from '../store/client.ts';
import { CustomerStore } from '../store/customer-store.ts';
import { DueLinkReader } from '../store/due-links.ts';
import { ensureIdempotencyTable } from '../store/idempotency-table.ts';
import { systemClock } from '../sync/clock.ts';
import { createIdempotencyPersistence } from '../sync/idempotency-persistence.ts';
import { createRuntimeSchedule } from '../sync/runtime-deps.ts';
import { importIfUnknown, type SchedulerSummary } from '../sync/scheduler.ts';
import { DynamoWebhookDedupe } from '../sync/webhook-dedupe.ts';
import { ensureTable, type RunningDynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.ts';
import { type RunningGateway, startGateway } from './gateway.ts';
import { createLambdaContext } from './lambda.ts';
import { createHandlerLogs } from './logs.ts';
import { LocalSyncQueue } from './queue.ts';
import { SyncReporter } from './sync-report.ts';

export interface LocalStackOptions {
  /** Defaults: `loadLocalConfig()` (the process env). Fields given here win. */
  config?: Partial<LocalConfig>;
  /** Where the runtime's own lines go; default stdout. */
  print?: (line: string) => void;
  /** Schedule interval override in seconds (tests); else LOCAL_SYNC_INTERVAL_SECONDS, else the stage's. */
  syncIntervalSeconds?: number;
  /** First retry delay of a failed link (the scheduler's backoff base); default the runtime's (60 s). */
  retryBaseSeconds?: number;
  /** Scales the redelivery delays the worker asks for (tests: 0.01 turns 30 s into 0.3 s). */
  redeliveryScale?: number;
  /** Gateway request lines on the console; default true. */
  logRequests?: boolean;
}

export interface RunningLocalStack {
  url: string;
  apiKey: string;
  dynamoDbEndpoint: string;
  tableName: string;
  idempotencyTableName: string;
  /** The sandboxes started (providers pointed elsewhere have none). */
  sandboxes: Partial<Record<ProviderName, RunningSandbox>>;
  /** Local webhook secrets (the sandbox ones, or what the env set). */
  webhook: { delosToken: string; mollieSigningSecret: string; palommaIntegrityKey: string };
  queue: LocalSyncQueue;
  reporter: SyncReporter;
  store: CustomerStore;
  handlerLogPath: string | null;
  /** Resolves once the sandboxes' demo customers are linked (it never rejects). */
  demoLinked: Promise<void>;
  /** Runs one scheduler invocation now; resolves with its summary once its messages are queued. */
  runScheduler(provider: ProviderName, mode?: 'due' | 'backfill'): Promise<SchedulerSummary>;
  stop(): Promise<void>;
}

/** Deterministic local defaults for webhook verification; real deployments keep theirs in Secrets Manager. */
const LOCAL_DELOS_WEBHOOK_TOKEN = 'local-delos-webhook-token-0001';
const LOCAL_MOLLIE_WEBHOOK_SECRET = 'local-mollie-webhook-secret-0001';

export async function startLocalStack(options: LocalStackOptions = {}): Promise<RunningLocalStack> {
  const config: LocalConfig = { ...loadLocalConfig(options.config?.env ?? undefined), ...options.config };
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const stage = stageConfig('local');
  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) {
      try {
        await step();
      } catch {
        // Shutting down: one part failing to stop must not keep the others running.
      }
    }
  };

  try {
    mkdirSync(config.dataDir, { recursive: true });
    const apiKey = resolveApiKey(config);
    const logs = createHandlerLogs(config.handlerLogs, config.dataDir);
    cleanups.push(() => logs.close());

    // --- DynamoDB ----------------------------------------------------------------------------------
    let dynamo: RunningDynamoDbLocal | null = null;
    let endpoint = config.dynamoDbEndpoint;
    if (endpoint === null) {
      dynamo = await startDynamoDbLocal({ port: 8000, dbPath: join(config.dataDir, 'dynamodb') });
      const running = dynamo;
      cleanups.push(() => running.stop());
      endpoint = dynamo.endpoint;
    }
    const { client, doc } = createDynamoClients({ region: config.region, endpoint });
    cleanups.push(() => client.destroy());
    await ensureTable(client, config.tableName);
    await ensureIdempotencyTable(client, config.idempotencyTableName);

    // --- Sandboxes ---------------------------------------------------------------------------------
    const sandboxes: Partial<Record<ProviderName, RunningSandbox>> = {};
    const sandboxed = PROVIDERS.filter((provider) => !config.externalProviders.includes(provider));
    const started = await Promise.allSettled(
      sandboxed.map((provider) =>
        startSandboxPreferringPort(provider, SANDBOX_DEFAULT_PORTS[provider], {
          seed: config.seed,
          host: '127.0.0.1',
        }),
      ),
    );
    for (const result of started) {
      if (result.status === 'fulfilled') {
        sandboxes[result.value.provider] = result.value;
        cleanups.push(() => result.value.stop());
      }
    }
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;

    // --- Configuration the handlers get, as the Lambdas would from their env and secrets ----------
    const providerEnv = localProviderEnv(config, sandboxes);
    const runtime = loadRuntimeConfig({
      ...config.env,
      ...providerEnv,
      STAGE: 'local',
      TABLE_NAME: config.tableName,
      IDEMPOTENCY_TABLE_NAME: config.idempotencyTableName,
      DYNAMODB_ENDPOINT: endpoint,
      AWS_REGION: config.region,
      HISTORY_RETENTION_DAYS: config.env.HISTORY_RETENTION_DAYS ?? String(stage.historyRetentionDays),
      ...intervalOverride(options.syncIntervalSeconds ?? config.syncIntervalSeconds),
      ...(options.retryBaseSeconds === undefined
        ? {}
        : { SYNC_RETRY_BASE_SECONDS: String(options.retryBaseSeconds) }),
    });
    const providers = enabledProviders(stage).filter((provider) =>
      runtime.enabledProviders.includes(provider),
    );
    const adapters = createAdapters(await loadProviderConfigs(providerEnv, { providers }));
    const webhookSecrets = await loadWebhookSecrets(providerEnv, { providers });
    // Its due runs come once per refresh interval (below) and plan every link: no slots.
    const schedule = createRuntimeSchedule(runtime, { slots: false });
    const store = new CustomerStore({
      doc,
      tableName: runtime.store.tableName,
      historyRetentionDays: runtime.store.historyRetentionDays,
    });

    // --- Queue, worker, scheduler ------------------------------------------------------------------
    const reporter = new SyncReporter(print);
    const redeliveryScale = options.redeliveryScale ?? 1;
    const queue = new LocalSyncQueue({
      batchSize: stage.sync.workerBatchSize,
      concurrency: Math.max(
        2,
        ...providers.map((provider) => stage.providers[provider].workerMaxConcurrency),
      ),
      maxReceiveCount: stage.sync.dlqMaxReceiveCount,
      backoffMs: (receives) => Math.min(30_000 * 2 ** (receives - 1), 900_000) * redeliveryScale,
      onBatch: (outcome) => reporter.onBatch(outcome),
      onDeadLetter: (letter) => reporter.onDeadLetter(letter),
      region: config.region,
    });
    const worker = createWorkerHandler({
      store: reporter.observe(store),
      adapters,
      schedule,
      createLeaseSeconds: runtime.sync.createLeaseSeconds,
      retryDelay: (handle, seconds) => queue.changeVisibility(handle, seconds * redeliveryScale),
      logger: logs.logger('sync-worker'),
      ...optionalMetrics(logs.metrics('sync-worker')),
    });
    const scheduler = createSchedulerHandler({
      store,
      dueLinks: new DueLinkReader({ doc, tableName: runtime.store.tableName }),
      queue,
      adapters,
      schedule,
      pageSize: runtime.sync.pageSize,
      logger: logs.logger('sync-scheduler'),
      ...optionalMetrics(logs.metrics('sync-scheduler')),
    });
    queue.start((event) => worker(event, createLambdaContext('customer-sync-local-sync-worker', 900_000)));
    cleanups.push(() => queue.stop());

    const running = new Map<string, Promise<SchedulerSummary>>();
    const runScheduler = (provider: ProviderName, mode: 'due' | 'backfill' = 'due') => {
      const key = `${provider}:${mode}`;
      const current = running.get(key);
      if (current) return current;
      const invoke = () =>
        scheduler({ provider, mode }, createLambdaContext('customer-sync-local-sync-scheduler', 300_000));
      // A due run is reported once its messages were delivered; a backfill enqueues nothing.
      const tag = mode === 'due' ? reporter.startRun(provider, mode) : null;
      const run = (tag ? queue.withTag(tag, invoke) : invoke())
        .then((summary) => {
          if (tag) reporter.finishScheduling(tag, summary.enqueued);
          else
            reporter.note(
              `backfill ${provider}: ${summary.scanned ?? 0} listed, ${summary.imported ?? 0} imported`,
            );
          return summary;
        })
        .catch((error: unknown) => {
          if (tag) reporter.failRun(tag, error);
          else
            reporter.note(`backfill ${provider} failed (${error instanceof Error ? error.name : 'Error'})`);
          throw error;
        })
        .finally(() => running.delete(key));
      running.set(key, run);
      return run;
    };

    // --- Gateway -----------------------------------------------------------------------------------
    const persistence = createIdempotencyPersistence(runtime, client);
    const readApi = createReadApiHandler({
      store,
      queue,
      logger: logs.logger('read-api'),
      ...optionalMetrics(logs.metrics('read-api')),
    });
    const createCustomer = createCreateCustomerHandler({
      store,
      adapters,
      schedule,
      persistenceStore: persistence,
      idempotencyTtlSeconds: runtime.sync.idempotencyTtlSeconds,
      inProgressWaitMs: runtime.sync.createInProgressWaitMs,
      createLeaseSeconds: runtime.sync.createLeaseSeconds,
      logger: logs.logger('create-customer'),
      ...optionalMetrics(logs.metrics('create-customer')),
    });
    const webhook = createWebhookHandler({
      store,
      queue,
      dedupe: new DynamoWebhookDedupe({ doc, tableName: runtime.idempotencyTableName }),
      secrets: async () => webhookSecrets,
      toleranceSeconds: runtime.webhook.toleranceSeconds,
      dedupeTtlSeconds: runtime.webhook.dedupeTtlSeconds,
      providers,
      logger: logs.logger('provider-webhook'),
      ...optionalMetrics(logs.metrics('provider-webhook')),
    });
    let gateway: RunningGateway;
    try {
      gateway = await startGateway({
        host: config.host,
        port: config.port,
        apiKey,
        handlers: { 'read-api': readApi, 'create-customer': createCustomer, 'provider-webhook': webhook },
        ...(options.logRequests === false
          ? {}
          : {
              onRequest: (entry) => print(`${entry.method} ${entry.path} → ${entry.status} (${entry.ms} ms)`),
            }),
      });
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
        throw new ConfigError(
          `Invalid configuration: PORT: ${config.host}:${config.port} is in use (set PORT to another port, or PORT=0 for a free one)`,
        );
      }
      throw error;
    }
    cleanups.push(() => gateway.stop());

    const webhookValues = {
      delosToken: webhookSecrets.delos?.token.reveal() ?? '',
      mollieSigningSecret: webhookSecrets.mollie?.signingSecret.reveal() ?? '',
      palommaIntegrityKey: webhookSecrets.palomma?.integrityKey.reveal() ?? '',
    };
    printBanner(print, {
      url: gateway.url,
      apiKey,
      dynamo: endpoint,
      dataDir: config.dataDir,
      persisted: dynamo !== null,
      sandboxes,
      external: config.externalProviders,
      providers,
      intervals: runtime.sync.intervalSeconds,
      logPath: logs.path,
      logMode: logs.mode,
    });

    // --- Demo data and schedules -------------------------------------------------------------------
    // In the background: the API answers at once, and Ctrl-C during linking stops promptly.
    const stopSignal = new AbortController();
    let demoLinked: Promise<void> = Promise.resolve();
    if (config.backfill) {
      print("Linking the sandboxes' demo customers…");
      demoLinked = linkDemoCustomers({
        providers,
        adapters,
        sandboxes,
        runScheduler,
        reporter,
        store,
        queue,
        schedule,
        runtime,
        signal: stopSignal.signal,
      });
    }
    cleanups.push(async () => {
      stopSignal.abort();
      await demoLinked;
    });
    const timers: NodeJS.Timeout[] = [];
    // Cleanups run last-in first: no new runs, then the running ones finish, then the rest stops.
    cleanups.push(async () => {
      await Promise.allSettled([...running.values()]);
    });
    cleanups.push(() => {
      for (const timer of timers) clearInterval(timer);
    });
    for (const provider of providers) {
      // Locally a due run comes as often as links come due: the local stage's syncEvery and refreshEvery
      // are equal, and LOCAL_SYNC_INTERVAL_SECONDS sets both.
      const every = runtime.sync.intervalSeconds[provider] * 1000;
      timers.push(setInterval(() => runScheduler(provider, 'due').catch(() => undefined), every));
      const backfillEvery = stage.providers[provider].backfillEvery;
      if (backfillEvery && adapters[provider]?.capabilities.canList) {
        const ms = Math.min(intervalSeconds(backfillEvery) * 1000, 2 ** 31 - 1);
        timers.push(setInterval(() => runScheduler(provider, 'backfill').catch(() => undefined), ms));
      }
    }

    let stopping: Promise<void> | null = null;
    return {
      url: gateway.url,
      apiKey,
      dynamoDbEndpoint: endpoint,
      tableName: config.tableName,
      idempotencyTableName: config.idempotencyTableName,
      sandboxes,
      webhook: webhookValues,
      queue,
      reporter,
      store,
      handlerLogPath: logs.path,
      demoLinked,
      runScheduler,
      stop() {
        stopping ??= (async () => {
          const dead = queue.deadLetters.length;
          await cleanup();
          if (dead > 0) print(`local DLQ: ${dead} message(s) were not processed (see the lines above)`);
          print('customer-sync local stack stopped');
        })();
        return stopping;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function optionalMetrics<M>(metrics: M | undefined): { metrics?: M } {
  return metrics === undefined ? {} : { metrics };
}

function intervalOverride(seconds: number | null | undefined): Record<string, string> {
  return seconds ? { SYNC_INTERVAL_SECONDS: String(seconds) } : {};
}

/**
 * Provider variables as the config loaders read them: each sandbox's URL and credentials, unless the
 * env points the provider elsewhere (then the env's own values are used untouched). Rate limits are
 * the local stage's, whole (one process serves every worker locally).
 */
function localProviderEnv(
  config: LocalConfig,
  sandboxes: Partial<Record<ProviderName, RunningSandbox>>,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...config.env };
  const stage = stageConfig('local');
  const setDefault = (key: string, value: string) => {
    env[key] ??= value;
  };
  for (const provider of PROVIDERS) {
    const p = provider.toUpperCase();
    const limit = perWorkerRateLimit({ ...stage.providers[provider], workerMaxConcurrency: 1 });
    setDefault(`${p}_RATE_LIMIT_RPS`, String(limit.requestsPerSecond));
    setDefault(`${p}_RATE_LIMIT_BURST`, String(limit.burst));
    const sandbox = sandboxes[provider];
    if (!sandbox) continue;
    Object.assign(env, sandboxApiEnv({ [provider]: sandbox }));
    switch (provider) {
      case 'palomma':
        setDefault('PALOMMA_WEBHOOK_INTEGRITY_KEY', SANDBOX_CREDENTIALS.palomma.webhookIntegrityKey);
        break;
      case 'delos':
        setDefault('DELOS_WEBHOOK_TOKEN', LOCAL_DELOS_WEBHOOK_TOKEN);
        break;
      case 'mollie':
        setDefault('MOLLIE_WEBHOOK_SECRET', LOCAL_MOLLIE_WEBHOOK_SECRET);
        break;
      case 'juspay':
        setDefault('JUSPAY_WEBHOOK_USERNAME', SANDBOX_CREDENTIALS.juspay.webhookUsername);
        setDefault('JUSPAY_WEBHOOK_PASSWORD', SANDBOX_CREDENTIALS.juspay.webhookPassword);
        break;
    }
  }
  return env;
}

/** The configured key, else the one kept from an earlier start, else a new one (kept for the CLI). */
function resolveApiKey(config: LocalConfig): string {
  const file = join(config.dataDir, 'api-key');
  if (config.apiKey !== null) {
    writeFileSync(file, `${config.apiKey}\n`, { mode: 0o600 });
    return config.apiKey;
  }
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (/^[\x21-\x7e]{20,128}$/.test(kept)) return kept;
  } catch {
    // First start: no key yet.
  }
  const generated = `local-${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${generated}\n`, { mode: 0o600 });
  return generated;
}

/**
 * Links each sandbox's demo customers once: the scheduler's backfill where the provider can list its
 * customers (Palomma, Mollie), otherwise the same import for each customer the sandbox holds (Delos and
 * Juspay document no usable list endpoint, so only a sandbox can say what exists).
 */
async function linkDemoCustomers(deps: {
  providers: ProviderName[];
  adapters: Partial<Record<ProviderName, ProviderAdapter>>;
  sandboxes: Partial<Record<ProviderName, RunningSandbox>>;
  runScheduler: (provider: ProviderName, mode: 'due' | 'backfill') => Promise<SchedulerSummary>;
  reporter: SyncReporter;
  store: CustomerStore;
  queue: LocalSyncQueue;
  schedule: ReturnType<typeof createRuntimeSchedule>;
  runtime: RuntimeConfig;
  signal: AbortSignal;
}): Promise<void> {
  await Promise.all(
    deps.providers.map(async (provider) => {
      const adapter = deps.adapters[provider];
      const sandbox = deps.sandboxes[provider];
      if (!adapter || deps.signal.aborted) return;
      try {
        if (adapter.capabilities.canList) {
          await deps.runScheduler(provider, 'backfill');
          return;
        }
        if (!sandbox) return;
        const wire = await sandbox.control.listCustomers();
        let imported = 0;
        for (const record of wire) {
          if (deps.signal.aborted) return;
          const id = record.id ?? record.cuid;
          if (typeof id !== 'string') continue;
          const snapshot = await adapter.getCustomer(id);
          const done = await importIfUnknown(
            {
              store: deps.store,
              clock: systemClock,
              schedule: deps.schedule,
            },
            snapshot,
          );
          if (done) imported++;
        }
        deps.reporter.note(`import ${provider}: ${wire.length} in the sandbox, ${imported} imported`);
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        deps.reporter.note(`linking ${provider} demo customers failed (${name}); the schedules still run`);
      }
    }),
  );
}

function printBanner(
  print: (line: string) => void,
  info: {
    url: string;
    apiKey: string;
    dynamo: string;
    dataDir: string;
    persisted: boolean;
    sandboxes: Partial<Record<ProviderName, RunningSandbox>>;
    external: ProviderName[];
    providers: ProviderName[];
    intervals: Record<ProviderName, number>;
    logPath: string | null;
    logMode: string;
  },
): void {
  const where = (path: string) => relative(process.cwd(), path) || '.';
  const sandboxLines = PROVIDERS.map((provider) => {
    const sandbox = info.sandboxes[provider];
    if (sandbox) return `    ${provider.padEnd(8)} ${sandbox.url} (sandbox)`;
    return info.external.includes(provider)
      ? `    ${provider.padEnd(8)} (from ${provider.toUpperCase()}_BASE_URL)`
      : null;
  }).filter((line): line is string => line !== null);
  const syncing = info.providers
    .map((provider) => `${provider} every ${info.intervals[provider]} s`)
    .join(', ');
  print('');
  print('customer-sync local stack is up');
  print(`  API        ${info.url}`);
  print(`  API key    ${info.apiKey}   (header x-api-key)`);
  print(`  OpenAPI    ${info.url}/openapi.json`);
  print(
    `  DynamoDB   ${info.dynamo}${info.persisted ? ` (data in ${where(join(info.dataDir, 'dynamodb'))})` : ''}`,
  );
  print('  Providers');
  for (const line of sandboxLines) print(line);
  print(`  Syncing    ${syncing || 'nothing (no provider enabled)'}`);
  print(
    `  Logs       ${info.logPath ? where(info.logPath) : info.logMode === 'silent' ? 'handler logs off' : 'handler logs on this console'}`,
  );
  print(`  Try        curl -H 'x-api-key: ${info.apiKey}' ${info.url}/customers`);
  print('Ctrl-C stops everything.');
  print('');
}

/** `node lib/local/start.ts` / `npm start`: runs until SIGINT or SIGTERM, then exits 0. */
export async function main(): Promise<void> {
  let stack: RunningLocalStack;
  try {
    stack = await startLocalStack();
  } catch (error) {
    const message =
      error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
    process.stderr.write(`customer-sync local stack failed to start: ${message}\n`);
    process.exitCode = 1;
    return;
  }
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      process.stderr.write('Forced exit.\n');
      process.exit(130);
    }
    process.stdout.write(`\n${signal}: stopping (again to force)…\n`);
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) await main();
