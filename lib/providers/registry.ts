/**
 * The provider registry: adding a provider is one folder under lib/providers/ plus one line in
 * ADAPTER_FACTORIES (and its config in lib/config/providers.ts).
 */
import type { ProviderConfigMap, ProviderConfigs } from '../config/providers.ts';
import { PROVIDERS, type ProviderName } from '../customer/snapshot.ts';
import { isProviderError, ProviderContractError, ProviderRateLimitedError } from '../http/errors.ts';
import { redactText } from '../http/redact.ts';
import { createDelosAdapter } from './delos/adapter.ts';
import { createJuspayAdapter } from './juspay/adapter.ts';
import { createMollieAdapter } from './mollie/adapter.ts';
import { createPalommaAdapter } from './palomma/adapter.ts';
import type { AdapterDeps, HttpProviderAdapter } from './shared.ts';

export type { AdapterDeps, HttpProviderAdapter } from './shared.ts';

type AdapterFactory<P extends ProviderName> = (
  config: ProviderConfigMap[P],
  deps?: AdapterDeps,
) => HttpProviderAdapter;

export const ADAPTER_FACTORIES: { readonly [P in ProviderName]: AdapterFactory<P> } = {
  palomma: createPalommaAdapter,
  delos: createDelosAdapter,
  mollie: createMollieAdapter,
  juspay: createJuspayAdapter,
};

export function createAdapter<P extends ProviderName>(
  provider: P,
  config: ProviderConfigMap[P],
  deps: AdapterDeps = {},
): HttpProviderAdapter {
  const factory: AdapterFactory<P> = ADAPTER_FACTORIES[provider];
  return factory(config, deps);
}

export type Adapters = Partial<Record<ProviderName, HttpProviderAdapter>>;

/**
 * One adapter per configured provider. `deps` may differ per provider (e.g. a shared rate limiter per
 * provider, or a per-provider logger).
 */
export function createAdapters(
  configs: ProviderConfigs,
  deps: AdapterDeps | ((provider: ProviderName) => AdapterDeps) = {},
): Adapters {
  const adapters: Adapters = {};
  const depsFor = (provider: ProviderName) => (typeof deps === 'function' ? deps(provider) : deps);
  const add = <P extends ProviderName>(provider: P) => {
    const config: ProviderConfigs[P] = configs[provider];
    if (config !== undefined) adapters[provider] = createAdapter(provider, config, depsFor(provider));
  };
  for (const provider of PROVIDERS) add(provider);
  return adapters;
}

/**
 * One line for a human (CLI, problem details): the typed error's message (already free of secrets and
 * personal data) plus what to do about it. Anything else is redacted before it is shown.
 */
export function formatProviderError(error: unknown): string {
  if (!isProviderError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return redactText(message);
  }
  const hints: string[] = [];
  if (error instanceof ProviderRateLimitedError && error.retryAfterSeconds !== undefined) {
    hints.push(`retry after ${error.retryAfterSeconds}s`);
  }
  if (error instanceof ProviderContractError && error.issues.length > 0) {
    hints.push(`fields: ${error.issues.slice(0, 5).join(', ')}`);
  }
  if (error.providerCode !== undefined) hints.push(`code ${error.providerCode}`);
  switch (error.name) {
    case 'ProviderAuthError':
      hints.push(`check the ${error.provider} credentials`);
      break;
    case 'ProviderNotFoundError':
      hints.push('the customer does not exist at the provider');
      break;
    default:
      hints.push(error.retryable ? 'retryable' : 'not retryable');
  }
  return `${error.name}: ${error.message} [${hints.join('; ')}]`;
}
