/**
 * Dependencies of the handlers that call providers (create-customer, sync-worker, sync-scheduler):
 * adapters from the providers' API configuration.
 */
import type { RuntimeConfig } from '../config/runtime.ts';
import { loadRuntimeProviderConfigs } from '../config/runtime-providers.ts';
import type { ProviderName } from '../customer/snapshot.ts';
import type { ProviderAdapter } from '../providers/adapter.ts';
import { createAdapters } from '../providers/registry.ts';

/** Adapters of `providers` (default: the enabled ones), from their API configuration. */
export async function createRuntimeAdapters(
  config: RuntimeConfig,
  providers: readonly ProviderName[] = config.enabledProviders,
): Promise<Partial<Record<ProviderName, ProviderAdapter>>> {
  const configs = await loadRuntimeProviderConfigs(providers);
  return createAdapters(configs);
}
