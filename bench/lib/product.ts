/**
 * The product as the deployed functions wire it, pointed at the bench's DynamoDB Local and sandboxes:
 * runtime config from an env record (the same parser the Lambdas use on process.env), provider configs
 * through `loadProviderConfigs`, adapters from the registry, store and schedule from runtime-deps.
 */
import { loadProviderConfigs, type ProviderConfigs } from '../../lib/config/providers.ts';
import { loadRuntimeConfig, type RuntimeConfig } from '../../lib/config/runtime.ts';
import { PROVIDERS, type ProviderName } from '../../lib/customer/snapshot.ts';
import { type AdapterDeps, type Adapters, createAdapters } from '../../lib/providers/registry.ts';
import { CustomerStore } from '../../lib/store/customer-store.ts';
import { createRuntimeSchedule } from '../../lib/sync/runtime-deps.ts';
import type { SyncSchedule } from '../../lib/sync/schedule.ts';
import { sandboxApiEnv } from '../../sandbox/index.ts';
import type { BenchSandbox, BenchTable } from './environment.ts';
import { REGION } from './environment.ts';

/** The stage whose config (worker concurrency, batch size, intervals) the benchmarks run with. */
export const BENCH_STAGE = 'local';

export type RateLimitSetting = { requestsPerSecond: number; burst: number } | 'off';

/** Provider variables as the local runtime sets them, with the client-side rate limit given per provider. */
export function providerEnv(
  sandboxes: Record<ProviderName, Pick<BenchSandbox, 'url'>>,
  rateLimit: (provider: ProviderName) => RateLimitSetting,
): Record<string, string> {
  const env: Record<string, string> = sandboxApiEnv(sandboxes);
  for (const provider of PROVIDERS) {
    const prefix = provider.toUpperCase();
    const limit = rateLimit(provider);
    if (limit === 'off') env[`${prefix}_RATE_LIMIT_RPS`] = 'off';
    else {
      env[`${prefix}_RATE_LIMIT_RPS`] = String(limit.requestsPerSecond);
      env[`${prefix}_RATE_LIMIT_BURST`] = String(limit.burst);
    }
  }
  return env;
}

export async function buildAdapters(
  env: Record<string, string>,
  providers: readonly ProviderName[],
  deps: (provider: ProviderName) => AdapterDeps = () => ({}),
): Promise<Adapters> {
  const configs: ProviderConfigs = await loadProviderConfigs(env, { providers });
  return createAdapters(configs, deps);
}

export function benchRuntimeConfig(table: Pick<BenchTable, 'tableName'>, endpoint: string): RuntimeConfig {
  return loadRuntimeConfig({
    STAGE: BENCH_STAGE,
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: endpoint,
    AWS_REGION: REGION,
  });
}

export function benchStore(table: BenchTable, config: RuntimeConfig): CustomerStore {
  return new CustomerStore({
    doc: table.doc,
    tableName: table.tableName,
    historyRetentionDays: config.store.historyRetentionDays,
  });
}

export function benchSchedule(config: RuntimeConfig): SyncSchedule {
  return createRuntimeSchedule(config);
}
