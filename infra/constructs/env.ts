/**
 * Names of the environment variables the functions receive. Only lib/config parses them; these helpers
 * keep the CDK side spelling them one way.
 */
import type { ProviderName } from '../../lib/customer/snapshot.ts';

const upper = (provider: ProviderName): string => provider.toUpperCase();

/** ARN of the provider's API credentials secret. */
export const apiSecretArnVar = (provider: ProviderName): string => `${upper(provider)}_SECRET_ARN`;
/** ARN of the provider's webhook verification secret. */
export const webhookSecretArnVar = (provider: ProviderName): string =>
  `${upper(provider)}_WEBHOOK_SECRET_ARN`;
/** The provider's API base URL. */
export const baseUrlVar = (provider: ProviderName): string => `${upper(provider)}_BASE_URL`;
/** URL of the provider's sync queue (one queue and one worker per provider). */
export const syncQueueUrlVar = (provider: ProviderName): string => `SYNC_QUEUE_URL_${upper(provider)}`;
/** One process's share of the provider's rate limit (lib/config/providers.ts tuning variables). */
export const rateLimitRpsVar = (provider: ProviderName): string => `${upper(provider)}_RATE_LIMIT_RPS`;
export const rateLimitBurstVar = (provider: ProviderName): string => `${upper(provider)}_RATE_LIMIT_BURST`;
