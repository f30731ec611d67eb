/**
 * Per-environment configuration: one typed object per stage. The CDK app (`infra/app.ts`) and the
 * local runtime behind `npm start` both read it, so this module is plain data and types: it must not
 * import aws-cdk-lib (the local runtime imports it on every start, and so may a Lambda bundle).
 *
 * A rate limit is the budget for one provider across the whole stage: every worker instance of that
 * provider gets an equal share (`perWorkerRequestsPerSecond`), so the sum never exceeds it however far
 * the worker scales (its concurrency is capped at `workerMaxConcurrency`).
 */
import { PROVIDERS, type ProviderName } from '../lib/customer/snapshot.ts';

export const STAGE_NAMES = ['local', 'dev', 'staging', 'prod'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** A schedule interval; rendered as an EventBridge Scheduler `rate()` expression by the CDK app. */
export interface Interval {
  value: number;
  unit: 'minutes' | 'hours' | 'days';
}

/** The retention periods CloudWatch Logs accepts. */
export type LogRetentionDays =
  | 1
  | 3
  | 5
  | 7
  | 14
  | 30
  | 60
  | 90
  | 120
  | 150
  | 180
  | 365
  | 400
  | 545
  | 731
  | 1096
  | 1827
  | 2192
  | 2557
  | 2922
  | 3288
  | 3653;

export interface ProviderStageConfig {
  /** Disabled providers get no secrets, queue, worker or schedules in this stage. */
  enabled: boolean;
  /** Base URL as the adapter wants it (see the sandbox interface: Palomma `/v0`, Mollie `/v2`). */
  baseUrl: string;
  /** How often the scheduler looks for this provider's links that are due (its due runs). */
  syncEvery: Interval;
  /**
   * How long after a successful sync a link is due again. At least `syncEvery`: nothing looks for due
   * links more often. Up to three runs long, links are due an interval (less up to 20 % jitter) after
   * each success and every due run reads every link of the provider; longer, each link is due on its
   * slot of the interval and a run reads only the slots come due since its last three periods
   * (lib/sync/schedule.ts; docs/benchmarks.md, "The scheduler").
   */
  refreshEvery: Interval;
  /**
   * How often to list every customer at the provider and import unknown ones. Null where the provider
   * has no usable list endpoint (Delos: pagination shape unknown; Juspay: list is undocumented).
   */
  backfillEvery: Interval | null;
  rateLimit: {
    /** Requests per second to this provider, summed over every worker instance in the stage. */
    requestsPerSecond: number;
    /** Token-bucket burst, summed the same way. */
    burst: number;
  };
  /** Most concurrent worker invocations for this provider (SQS event source `maxConcurrency`, ≥ 2). */
  workerMaxConcurrency: number;
}

export interface AlarmConfig {
  /** Messages in any dead-letter queue at or above which the DLQ alarm fires. */
  dlqDepth: number;
  /** Worker or scheduler function errors per 5 minutes at or above which their alarms fire. */
  functionErrors: number;
  /** Failed schedule deliveries or scheduler runs (scheduler DLQ depth) at or above which it fires. */
  schedulerFailures: number;
  /** `OldestOverdueSeconds` (per provider) at or above which sync is considered stale. */
  syncStalenessSeconds: number;
  /** API 5xx responses per 5 minutes at or above which the API errors alarm fires. */
  api5xxPer5Minutes: number;
  /** API p99 latency (ms) over 5 minutes at or above which the latency alarm fires. */
  apiLatencyP99Ms: number;
  /** Email address subscribed to the alarm topic; null: none (override with `-c alarmEmail=`). */
  notificationEmail: string | null;
}

export interface StageConfig {
  name: StageName;
  /** False for `local`: it runs on a laptop (`npm start`), never through `cdk deploy`. */
  deployable: boolean;
  /** Pinned AWS account/region; null takes `-c account=`/`-c region=` or CDK_DEFAULT_ACCOUNT/REGION. */
  account: string | null;
  region: string | null;
  providers: Record<ProviderName, ProviderStageConfig>;
  sync: {
    /** Deliveries of a sync message before it moves to the provider's dead-letter queue. */
    dlqMaxReceiveCount: number;
    /** Messages per worker invocation (each reported individually on failure). */
    workerBatchSize: number;
    /** EventBridge Scheduler retries of one schedule delivery before it goes to the scheduler DLQ. */
    scheduleRetryAttempts: number;
  };
  /** How long history items live (DynamoDB TTL on `TABLE.ttlAttribute`). */
  historyRetentionDays: number;
  logRetentionDays: LogRetentionDays;
  alarms: AlarmConfig;
  /** `retain` keeps tables, keys and secrets when the stack is deleted (and protects the table). */
  removalPolicy: 'retain' | 'destroy';
  api: {
    /** Stage-wide throttle (all callers together). */
    throttle: { rateLimit: number; burstLimit: number };
    /** Per API key (per merchant backend) throttle and quota, enforced by the usage plan. */
    perKey: {
      rateLimit: number;
      burstLimit: number;
      quota: { limit: number; period: 'DAY' | 'WEEK' | 'MONTH' };
    };
    /** API keys created with the stack, one per calling backend; values are generated by AWS. */
    keys: readonly string[];
    /** Attach a WAF web ACL (AWS IP-reputation and known-bad-inputs rule groups) to the stage. */
    waf: boolean;
  };
}

const minutes = (value: number): Interval => ({ value, unit: 'minutes' });
const days = (value: number): Interval => ({ value, unit: 'days' });

const SANDBOX_HOSTS = {
  palomma: 'https://sandbox.api.palomma.com/v0',
  delos: 'https://stagep.tst-apidmndelss.com',
  mollie: 'https://api.mollie.com/v2',
  juspay: 'https://sandbox.juspay.in',
} as const satisfies Record<ProviderName, string>;

/** Defaults shared by every stage; each stage below overrides what differs. */
function providersFor(
  overrides: { [P in ProviderName]?: Partial<ProviderStageConfig> },
  defaults: Pick<ProviderStageConfig, 'syncEvery' | 'refreshEvery' | 'workerMaxConcurrency'>,
): Record<ProviderName, ProviderStageConfig> {
  const base: Record<ProviderName, ProviderStageConfig> = {
    palomma: {
      enabled: true,
      baseUrl: SANDBOX_HOSTS.palomma,
      backfillEvery: days(1),
      // Undocumented limit: stay gentle.
      rateLimit: { requestsPerSecond: 5, burst: 10 },
      ...defaults,
    },
    delos: {
      enabled: true,
      baseUrl: SANDBOX_HOSTS.delos,
      backfillEvery: null,
      // Undocumented limit; the FAQ asks integrators to poll about once an hour.
      rateLimit: { requestsPerSecond: 4, burst: 8 },
      ...defaults,
    },
    mollie: {
      enabled: true,
      baseUrl: SANDBOX_HOSTS.mollie,
      backfillEvery: days(1),
      // Dynamic per-endpoint limits with burst; 429s are retried per Retry-After.
      rateLimit: { requestsPerSecond: 10, burst: 20 },
      ...defaults,
    },
    juspay: {
      enabled: true,
      baseUrl: SANDBOX_HOSTS.juspay,
      backfillEvery: null,
      // Per-merchant limits by agreement; none published.
      rateLimit: { requestsPerSecond: 8, burst: 16 },
      ...defaults,
    },
  };
  return {
    palomma: { ...base.palomma, ...overrides.palomma },
    delos: { ...base.delos, ...overrides.delos },
    mollie: { ...base.mollie, ...overrides.mollie },
    juspay: { ...base.juspay, ...overrides.juspay },
  };
}

const NO_ALARM_EMAIL = null;

export const STAGES: Readonly<Record<StageName, StageConfig>> = {
  local: {
    name: 'local',
    deployable: false,
    account: null,
    region: 'us-east-1',
    // The local sandboxes (SANDBOX_DEFAULT_PORTS); the local runtime replaces them with the ports it got.
    providers: providersFor(
      {
        palomma: { baseUrl: 'http://127.0.0.1:4101/v0', rateLimit: { requestsPerSecond: 20, burst: 40 } },
        delos: { baseUrl: 'http://127.0.0.1:4102', rateLimit: { requestsPerSecond: 20, burst: 40 } },
        mollie: { baseUrl: 'http://127.0.0.1:4103/v2', rateLimit: { requestsPerSecond: 20, burst: 40 } },
        juspay: { baseUrl: 'http://127.0.0.1:4104', rateLimit: { requestsPerSecond: 20, burst: 40 } },
      },
      { syncEvery: minutes(1), refreshEvery: minutes(1), workerMaxConcurrency: 2 },
    ),
    sync: { dlqMaxReceiveCount: 3, workerBatchSize: 10, scheduleRetryAttempts: 2 },
    historyRetentionDays: 30,
    logRetentionDays: 1,
    alarms: {
      dlqDepth: 1,
      functionErrors: 1,
      schedulerFailures: 1,
      syncStalenessSeconds: 10 * 60,
      api5xxPer5Minutes: 1,
      apiLatencyP99Ms: 3000,
      notificationEmail: NO_ALARM_EMAIL,
    },
    removalPolicy: 'destroy',
    api: {
      throttle: { rateLimit: 100, burstLimit: 200 },
      perKey: { rateLimit: 100, burstLimit: 200, quota: { limit: 1_000_000, period: 'DAY' } },
      keys: ['local'],
      waf: false,
    },
  },
  dev: {
    name: 'dev',
    deployable: true,
    account: null,
    region: null,
    providers: providersFor(
      {},
      { syncEvery: minutes(15), refreshEvery: minutes(15), workerMaxConcurrency: 2 },
    ),
    sync: { dlqMaxReceiveCount: 3, workerBatchSize: 10, scheduleRetryAttempts: 2 },
    historyRetentionDays: 30,
    logRetentionDays: 14,
    alarms: {
      dlqDepth: 1,
      functionErrors: 5,
      schedulerFailures: 1,
      syncStalenessSeconds: 60 * 60,
      api5xxPer5Minutes: 5,
      apiLatencyP99Ms: 3000,
      notificationEmail: NO_ALARM_EMAIL,
    },
    removalPolicy: 'destroy',
    api: {
      throttle: { rateLimit: 20, burstLimit: 40 },
      perKey: { rateLimit: 10, burstLimit: 20, quota: { limit: 50_000, period: 'DAY' } },
      keys: ['dev-merchant'],
      waf: false,
    },
  },
  staging: {
    name: 'staging',
    deployable: true,
    account: null,
    region: null,
    providers: providersFor(
      {},
      { syncEvery: minutes(10), refreshEvery: minutes(10), workerMaxConcurrency: 2 },
    ),
    sync: { dlqMaxReceiveCount: 5, workerBatchSize: 10, scheduleRetryAttempts: 3 },
    historyRetentionDays: 90,
    logRetentionDays: 30,
    alarms: {
      dlqDepth: 1,
      functionErrors: 5,
      schedulerFailures: 1,
      syncStalenessSeconds: 40 * 60,
      api5xxPer5Minutes: 5,
      apiLatencyP99Ms: 2000,
      notificationEmail: NO_ALARM_EMAIL,
    },
    removalPolicy: 'destroy',
    api: {
      throttle: { rateLimit: 50, burstLimit: 100 },
      perKey: { rateLimit: 25, burstLimit: 50, quota: { limit: 200_000, period: 'DAY' } },
      keys: ['staging-merchant'],
      waf: true,
    },
  },
  prod: {
    name: 'prod',
    deployable: true,
    account: null,
    region: null,
    providers: providersFor(
      {
        palomma: { baseUrl: 'https://prod.api.palomma.com/v0' },
        // The production host is issued by Delos at onboarding and is not public: set `baseUrl` and
        // enable it once known. Until then prod has no Delos resources at all.
        delos: { enabled: false },
        mollie: { workerMaxConcurrency: 4 },
        juspay: { baseUrl: 'https://api.juspay.in', workerMaxConcurrency: 3 },
      },
      { syncEvery: minutes(5), refreshEvery: minutes(5), workerMaxConcurrency: 2 },
    ),
    sync: { dlqMaxReceiveCount: 5, workerBatchSize: 10, scheduleRetryAttempts: 3 },
    historyRetentionDays: 365,
    logRetentionDays: 90,
    alarms: {
      dlqDepth: 1,
      functionErrors: 3,
      schedulerFailures: 1,
      // Three missed 5-minute runs plus the time a run takes.
      syncStalenessSeconds: 20 * 60,
      api5xxPer5Minutes: 5,
      apiLatencyP99Ms: 1500,
      notificationEmail: NO_ALARM_EMAIL,
    },
    removalPolicy: 'retain',
    api: {
      throttle: { rateLimit: 100, burstLimit: 200 },
      perKey: { rateLimit: 50, burstLimit: 100, quota: { limit: 1_000_000, period: 'DAY' } },
      keys: ['merchant-backend'],
      waf: true,
    },
  },
};

export function isStageName(name: string): name is StageName {
  return (STAGE_NAMES as readonly string[]).includes(name);
}

/** The config of one stage; throws naming the valid stages for anything else. */
export function stageConfig(name: string): StageConfig {
  if (!isStageName(name)) {
    throw new Error(`Unknown stage "${name}": valid stages are ${STAGE_NAMES.join(', ')}`);
  }
  return STAGES[name];
}

/** Providers that get resources (secrets, queue, worker, schedules) in this stage. */
export function enabledProviders(config: StageConfig): ProviderName[] {
  return PROVIDERS.filter((provider) => config.providers[provider].enabled);
}

/** One worker instance's share of the provider's stage-wide rate limit. */
export function perWorkerRateLimit(provider: ProviderStageConfig): {
  requestsPerSecond: number;
  burst: number;
} {
  const share = provider.workerMaxConcurrency;
  return {
    requestsPerSecond: provider.rateLimit.requestsPerSecond / share,
    burst: Math.max(1, Math.floor(provider.rateLimit.burst / share)),
  };
}

export function intervalSeconds(interval: Interval): number {
  const perUnit = { minutes: 60, hours: 3600, days: 86_400 } as const;
  return interval.value * perUnit[interval.unit];
}

/** `rate(5 minutes)`, `rate(1 day)`: EventBridge Scheduler wants the singular unit for 1. */
export function rateExpression(interval: Interval): string {
  const unit = interval.value === 1 ? interval.unit.slice(0, -1) : interval.unit;
  return `rate(${interval.value} ${unit})`;
}

/**
 * Where a stage deploys: `-c account=`/`-c region=` first, then the stage's pinned values, then the
 * CLI's CDK_DEFAULT_ACCOUNT/CDK_DEFAULT_REGION. Undefined parts leave the stack environment-agnostic.
 */
export function resolveDeployEnvironment(
  config: StageConfig,
  sources: {
    context: { account?: string | undefined; region?: string | undefined };
    env: Record<string, string | undefined>;
  },
): { account: string | undefined; region: string | undefined } {
  const pick = (...values: (string | null | undefined)[]) =>
    values.find((value): value is string => typeof value === 'string' && value.length > 0);
  return {
    account: pick(sources.context.account, config.account, sources.env.CDK_DEFAULT_ACCOUNT),
    region: pick(sources.context.region, config.region, sources.env.CDK_DEFAULT_REGION),
  };
}
