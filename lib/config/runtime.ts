/**
 * Environment of the sync functions (sync-scheduler, sync-worker, create-customer, provider-webhook),
 * parsed once per cold start. Queues: infra gives each provider its own queue and worker, so a slow or
 * failing provider never delays the others; `SYNC_QUEUE_URL_<PROVIDER>` names each one and
 * `SYNC_QUEUE_URL` is the fallback for every provider without its own (one shared queue, as locally).
 */
import * as z from 'zod/mini';
import {
  intervalSeconds,
  isStageName,
  STAGES,
  type StageConfig,
  type StageName,
} from '../../infra/stages.ts';
import { PROVIDERS, type ProviderName, ProviderNameSchema } from '../customer/snapshot.ts';
import { ConfigError, parseEnv, processEnv, StoreEnvSchema } from './env.ts';

const positiveInt = z.coerce.number().check(z.int(), z.positive());

const providerList = z.pipe(
  z.pipe(
    z.string(),
    z.transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    ),
  ),
  z.array(ProviderNameSchema),
);

const queueUrlVariables = Object.fromEntries(
  PROVIDERS.map((provider) => [queueUrlVariable(provider), z.optional(z.url())]),
) as Record<`SYNC_QUEUE_URL_${Uppercase<ProviderName>}`, z.ZodMiniOptional<z.ZodMiniURL>>;

const intervalVariables = Object.fromEntries(
  PROVIDERS.map((provider) => [intervalVariable(provider), z.optional(positiveInt)]),
) as Record<`SYNC_INTERVAL_SECONDS_${Uppercase<ProviderName>}`, z.ZodMiniOptional<typeof positiveInt>>;

export const RuntimeEnvSchema = z.object({
  ...StoreEnvSchema.shape,
  STAGE: z._default(z.string().check(z.minLength(1)), 'local'),
  IDEMPOTENCY_TABLE_NAME: z._default(z.string().check(z.minLength(3)), 'customer-sync-idempotency-local'),
  SYNC_QUEUE_URL: z.optional(z.url()),
  ...queueUrlVariables,
  /** Set locally when SQS is emulated; unset in AWS. */
  SQS_ENDPOINT: z.optional(z.url()),
  /** The provider a sync worker serves (one worker per provider in AWS); unset: any provider. */
  PROVIDER: z.optional(ProviderNameSchema),
  /** Providers this deployment talks to; default: the stage's enabled providers. */
  ENABLED_PROVIDERS: z.optional(providerList),
  /** Override of the stage's `refreshEvery` for every provider, or one provider. */
  SYNC_INTERVAL_SECONDS: z.optional(positiveInt),
  ...intervalVariables,
  /** First retry delay after a failed sync; doubles per consecutive failure up to the maximum. */
  SYNC_RETRY_BASE_SECONDS: z._default(positiveInt, 60),
  SYNC_MAX_BACKOFF_SECONDS: z._default(positiveInt, 6 * 3600),
  /** Due links read per store page by the scheduler (memory stays bounded by one page). */
  SYNC_PAGE_SIZE: z._default(positiveInt.check(z.maximum(1000)), 100),
  /** Webhooks whose own timestamp is further than this from now are rejected as replays. */
  WEBHOOK_TOLERANCE_SECONDS: z._default(positiveInt, 300),
  /** How long a webhook event id is remembered; Mollie retries for 26 h. */
  WEBHOOK_DEDUPE_TTL_SECONDS: z._default(positiveInt, 3 * 86_400),
  /** How long an `Idempotency-Key` of POST /customers is remembered. */
  IDEMPOTENCY_TTL_SECONDS: z._default(positiveInt, 86_400),
  /** Lease of one create attempt at one provider; longer than an adapter's whole retry budget. */
  CREATE_LEASE_SECONDS: z._default(positiveInt, 120),
  /** How long a duplicate POST /customers waits for the first one before answering 409. */
  CREATE_IN_PROGRESS_WAIT_MS: z._default(z.coerce.number().check(z.int(), z.nonnegative()), 10_000),
  POWERTOOLS_METRICS_NAMESPACE: z._default(z.string().check(z.minLength(1)), 'CustomerSync'),
});
export type RuntimeEnv = z.infer<typeof RuntimeEnvSchema>;

export interface RuntimeConfig {
  stage: string;
  store: {
    tableName: string;
    endpoint: string | undefined;
    region: string;
    historyRetentionDays: number;
  };
  idempotencyTableName: string;
  sqsEndpoint: string | undefined;
  /** Queue URL per provider after the `SYNC_QUEUE_URL` fallback; absent where none is configured. */
  queueUrls: Partial<Record<ProviderName, string>>;
  workerProvider: ProviderName | undefined;
  enabledProviders: ProviderName[];
  sync: {
    /** How long after a success a link is due again (the stage's `refreshEvery`, or the env's). */
    intervalSeconds: Record<ProviderName, number>;
    /** How often the due runs come (the stage's `syncEvery`; the refresh interval without a stage). */
    dueRunSeconds: Record<ProviderName, number>;
    retryBaseSeconds: number;
    maxBackoffSeconds: number;
    pageSize: number;
    createLeaseSeconds: number;
    createInProgressWaitMs: number;
    idempotencyTtlSeconds: number;
  };
  webhook: { toleranceSeconds: number; dedupeTtlSeconds: number };
  metricsNamespace: string;
}

export function queueUrlVariable(provider: ProviderName): `SYNC_QUEUE_URL_${Uppercase<ProviderName>}` {
  return `SYNC_QUEUE_URL_${provider.toUpperCase() as Uppercase<ProviderName>}`;
}

export function intervalVariable(provider: ProviderName): `SYNC_INTERVAL_SECONDS_${Uppercase<ProviderName>}` {
  return `SYNC_INTERVAL_SECONDS_${provider.toUpperCase() as Uppercase<ProviderName>}`;
}

/** Fallback interval where neither the stage nor the env says (an unknown stage name). */
const DEFAULT_INTERVAL_SECONDS = 3600;

export function loadRuntimeConfig(
  env: Record<string, string | undefined> = processEnv(),
  stages: Readonly<Record<StageName, StageConfig>> = STAGES,
): RuntimeConfig {
  const parsed = parseEnv(RuntimeEnvSchema, env);
  const stage = isStageName(parsed.STAGE) ? stages[parsed.STAGE] : null;
  const queueUrls: Partial<Record<ProviderName, string>> = {};
  const intervals = {} as Record<ProviderName, number>;
  const dueRuns = {} as Record<ProviderName, number>;
  for (const provider of PROVIDERS) {
    const url = parsed[queueUrlVariable(provider)] ?? parsed.SYNC_QUEUE_URL;
    if (url !== undefined) queueUrls[provider] = url;
    intervals[provider] =
      parsed[intervalVariable(provider)] ??
      parsed.SYNC_INTERVAL_SECONDS ??
      (stage ? intervalSeconds(stage.providers[provider].refreshEvery) : DEFAULT_INTERVAL_SECONDS);
    dueRuns[provider] = stage ? intervalSeconds(stage.providers[provider].syncEvery) : intervals[provider];
  }
  const enabledProviders =
    parsed.ENABLED_PROVIDERS ??
    (stage ? PROVIDERS.filter((provider) => stage.providers[provider].enabled) : [...PROVIDERS]);
  return {
    stage: parsed.STAGE,
    store: {
      tableName: parsed.TABLE_NAME,
      endpoint: parsed.DYNAMODB_ENDPOINT,
      region: parsed.AWS_REGION,
      historyRetentionDays: parsed.HISTORY_RETENTION_DAYS,
    },
    idempotencyTableName: parsed.IDEMPOTENCY_TABLE_NAME,
    sqsEndpoint: parsed.SQS_ENDPOINT,
    queueUrls,
    workerProvider: parsed.PROVIDER,
    enabledProviders,
    sync: {
      intervalSeconds: intervals,
      dueRunSeconds: dueRuns,
      retryBaseSeconds: parsed.SYNC_RETRY_BASE_SECONDS,
      maxBackoffSeconds: parsed.SYNC_MAX_BACKOFF_SECONDS,
      pageSize: parsed.SYNC_PAGE_SIZE,
      createLeaseSeconds: parsed.CREATE_LEASE_SECONDS,
      createInProgressWaitMs: parsed.CREATE_IN_PROGRESS_WAIT_MS,
      idempotencyTtlSeconds: parsed.IDEMPOTENCY_TTL_SECONDS,
    },
    webhook: {
      toleranceSeconds: parsed.WEBHOOK_TOLERANCE_SECONDS,
      dedupeTtlSeconds: parsed.WEBHOOK_DEDUPE_TTL_SECONDS,
    },
    metricsNamespace: parsed.POWERTOOLS_METRICS_NAMESPACE,
  };
}

/** The queue a provider's sync messages go to; fails naming both variables when neither is set. */
export function queueUrlFor(config: Pick<RuntimeConfig, 'queueUrls'>, provider: ProviderName): string {
  const url = config.queueUrls[provider];
  if (url === undefined) {
    throw new ConfigError(
      `Invalid configuration: ${queueUrlVariable(provider)}: not set (and no SYNC_QUEUE_URL fallback)`,
    );
  }
  return url;
}
