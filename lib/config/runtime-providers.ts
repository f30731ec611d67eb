/**
 * Provider API configuration for the Lambda handlers that call providers. Kept apart from runtime.ts so
 * handlers that never call a provider (read-api, provider-webhook) do not bundle the adapters' config
 * and the Secrets Manager client.
 */
import type { ProviderName } from '../customer/snapshot.ts';
import { processEnv } from './env.ts';
import { loadProviderConfigs, type ProviderConfigs } from './providers.ts';

/** API configuration of the given providers, from this process's env (and secrets it names). */
export function loadRuntimeProviderConfigs(providers: readonly ProviderName[]): Promise<ProviderConfigs> {
  return loadProviderConfigs(processEnv(), { providers });
}
