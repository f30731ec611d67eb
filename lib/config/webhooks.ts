/**
 * Webhook verification secrets, one set per provider. The webhook function reads these and nothing
 * else (no provider API credentials).
 *
 * Sources, per provider:
 * - in AWS, `<PROVIDER>_WEBHOOK_SECRET_ARN`: a Secrets Manager secret holding a JSON object
 *   (Palomma `{ "integrityKey" }`, Mollie `{ "signingSecret" }`, Juspay `{ "username", "password" }`,
 *   Delos `{ "token" }`), read through Powertools parameters and cached for `maxAgeSeconds`, so a
 *   rotated secret is picked up without a cold start;
 * - locally, env: `PALOMMA_WEBHOOK_INTEGRITY_KEY`, `MOLLIE_WEBHOOK_SECRET`, `JUSPAY_WEBHOOK_USERNAME` +
 *   `JUSPAY_WEBHOOK_PASSWORD`, `DELOS_WEBHOOK_TOKEN`.
 * A provider with neither has no webhook secret: its webhooks are refused (401), except Mollie's
 * classic unsigned hints (see lib/sync/webhook.ts).
 */
import * as z from 'zod/mini';
import { PROVIDERS, type ProviderName } from '../customer/snapshot.ts';
import { ConfigError, processEnv } from './env.ts';
import { Secret, type SecretLoader } from './providers.ts';

export interface WebhookSecrets {
  palomma?: { integrityKey: Secret };
  mollie?: { signingSecret: Secret };
  juspay?: { username: Secret; password: Secret };
  delos?: { token: Secret };
}

type Env = Record<string, string | undefined>;

const secretText = z.pipe(
  z.string().check(z.trim(), z.minLength(1)),
  z.transform((value) => new Secret(value)),
);

/** Secret JSON fields per provider, and the env variables that stand in for them locally. */
const SOURCES = {
  palomma: {
    schema: z.object({ integrityKey: secretText }),
    env: { integrityKey: 'PALOMMA_WEBHOOK_INTEGRITY_KEY' },
  },
  mollie: {
    schema: z.object({ signingSecret: secretText }),
    env: { signingSecret: 'MOLLIE_WEBHOOK_SECRET' },
  },
  juspay: {
    schema: z.object({ username: secretText, password: secretText }),
    env: { username: 'JUSPAY_WEBHOOK_USERNAME', password: 'JUSPAY_WEBHOOK_PASSWORD' },
  },
  delos: { schema: z.object({ token: secretText }), env: { token: 'DELOS_WEBHOOK_TOKEN' } },
} as const;

export const webhookSecretArnVariable = (provider: ProviderName): string =>
  `${provider.toUpperCase()}_WEBHOOK_SECRET_ARN`;

export interface LoadWebhookSecretsOptions {
  providers?: readonly ProviderName[];
  /** Reads a secret's JSON by ARN; default Powertools `getSecret` (cached for `maxAgeSeconds`). */
  loadSecret?: SecretLoader;
  maxAgeSeconds?: number;
}

export async function loadWebhookSecrets(
  env: Env = processEnv(),
  options: LoadWebhookSecretsOptions = {},
): Promise<WebhookSecrets> {
  const secrets: WebhookSecrets = {};
  let loader = options.loadSecret;
  const getLoader = async (): Promise<SecretLoader> => {
    if (!loader) {
      // Imported lazily: the Secrets Manager client is not needed locally.
      const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
      const maxAge = options.maxAgeSeconds ?? 300;
      loader = (name) => getSecret(name, { transform: 'json', maxAge });
    }
    return loader;
  };
  for (const provider of options.providers ?? PROVIDERS) {
    const values = await rawValues(provider, env, getLoader);
    if (values === null) continue;
    const parsed = SOURCES[provider].schema.safeParse(values);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
      throw new ConfigError(`Invalid ${provider} webhook configuration: missing or empty ${fields}`);
    }
    assign(secrets, provider, parsed.data);
  }
  return secrets;
}

async function rawValues(
  provider: ProviderName,
  env: Env,
  getLoader: () => Promise<SecretLoader>,
): Promise<Record<string, unknown> | null> {
  const arn = env[webhookSecretArnVariable(provider)]?.trim();
  if (arn) {
    let raw: unknown;
    try {
      raw = await (await getLoader())(arn);
    } catch (error) {
      throw new ConfigError(
        `Invalid configuration: ${webhookSecretArnVariable(provider)}: the secret could not be read`,
        { cause: error },
      );
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ConfigError(
        `Invalid configuration: ${webhookSecretArnVariable(provider)}: not a JSON object`,
      );
    }
    return Object.fromEntries(Object.entries(raw));
  }
  const fields: Record<string, string> = SOURCES[provider].env;
  const values = Object.fromEntries(
    Object.entries(fields).map(([field, variable]) => [field, env[variable]?.trim() || undefined]),
  );
  return Object.values(values).some((value) => value !== undefined) ? values : null;
}

function assign(secrets: WebhookSecrets, provider: ProviderName, data: Record<string, Secret>): void {
  const get = (field: string): Secret => {
    const value = data[field];
    if (!value) throw new ConfigError(`Invalid ${provider} webhook configuration: missing ${field}`);
    return value;
  };
  switch (provider) {
    case 'palomma':
      secrets.palomma = { integrityKey: get('integrityKey') };
      return;
    case 'mollie':
      secrets.mollie = { signingSecret: get('signingSecret') };
      return;
    case 'juspay':
      secrets.juspay = { username: get('username'), password: get('password') };
      return;
    case 'delos':
      secrets.delos = { token: get('token') };
      return;
  }
}

/**
 * Secrets re-read at most every `maxAgeSeconds` (the Powertools cache makes re-reads cheap), so a
 * rotation reaches warm functions too.
 */
export function cachedWebhookSecrets(
  env: Env = processEnv(),
  options: LoadWebhookSecretsOptions = {},
): () => Promise<WebhookSecrets> {
  let current: { at: number; value: Promise<WebhookSecrets> } | null = null;
  const maxAgeMs = (options.maxAgeSeconds ?? 300) * 1000;
  return () => {
    if (!current || Date.now() - current.at > maxAgeMs) {
      const value = loadWebhookSecrets(env, options);
      current = { at: Date.now(), value };
      value.catch(() => {
        current = null;
      });
    }
    return current.value;
  };
}
