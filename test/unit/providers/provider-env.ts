/** Env variables for one provider, as lib/config/providers.ts reads them (tests build configs through it). */
import type { ProviderName } from '../../../lib/customer/snapshot.ts';

/** Where each adapter's base URL sits under a server's origin (the sandbox convention). */
export const BASE_PATHS: Record<ProviderName, string> = {
  palomma: '/v0',
  delos: '',
  mollie: '/v2',
  juspay: '',
};

export const FAKE_CREDENTIALS = {
  palomma: { PALOMMA_API_KEY: 'fixture-palomma-key-123' },
  delos: { DELOS_LOGIN: 'fixture@delos.test', DELOS_PASSWORD: 'fixture-password' },
  mollie: { MOLLIE_API_KEY: 'test_fixtureMollieKey0000000000' },
  juspay: { JUSPAY_API_KEY: 'FIXTUREJUSPAYKEY000001', JUSPAY_MERCHANT_ID: 'fixture_merchant' },
} as const satisfies Record<ProviderName, Record<string, string>>;

export interface ProviderEnvOptions {
  /** Base URL as the adapter wants it; default `origin` + the provider's base path. */
  baseUrl?: string;
  credentials?: Record<string, string>;
  retryLimit?: number;
  timeoutMs?: number;
  totalBudgetMs?: number;
  backoffBaseMs?: number;
  maxRetryAfterSeconds?: number;
  /** Default off: tests that pace requests set it. */
  rateLimitRps?: number | 'off';
  rateLimitBurst?: number;
}

export function providerEnv(
  provider: ProviderName,
  origin: string,
  options: ProviderEnvOptions = {},
): Record<string, string> {
  const p = provider.toUpperCase();
  const env: Record<string, string> = {
    [`${p}_BASE_URL`]: options.baseUrl ?? `${origin}${BASE_PATHS[provider]}`,
    ...(options.credentials ?? FAKE_CREDENTIALS[provider]),
    [`${p}_RATE_LIMIT_RPS`]: String(options.rateLimitRps ?? 'off'),
    [`${p}_RETRY_BACKOFF_BASE_MS`]: String(options.backoffBaseMs ?? 10),
    [`${p}_RETRY_MAX_BACKOFF_MS`]: '100',
  };
  if (options.retryLimit !== undefined) env[`${p}_RETRY_LIMIT`] = String(options.retryLimit);
  if (options.timeoutMs !== undefined) env[`${p}_TIMEOUT_MS`] = String(options.timeoutMs);
  if (options.totalBudgetMs !== undefined) env[`${p}_TOTAL_BUDGET_MS`] = String(options.totalBudgetMs);
  if (options.maxRetryAfterSeconds !== undefined) {
    env[`${p}_MAX_RETRY_AFTER_SECONDS`] = String(options.maxRetryAfterSeconds);
  }
  if (options.rateLimitBurst !== undefined) env[`${p}_RATE_LIMIT_BURST`] = String(options.rateLimitBurst);
  return env;
}
