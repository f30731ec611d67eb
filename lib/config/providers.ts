/**
 * Provider configuration: base URL, credentials, webhook secrets and HTTP tuning per provider.
 *
 * Sources, per provider:
 * - locally, plain env variables (`PALOMMA_BASE_URL`, `PALOMMA_API_KEY`, ...);
 * - in AWS, one Secrets Manager secret per provider named by `<PROVIDER>_SECRET_ARN`, a JSON object whose
 *   keys are either the env variable names (`{"PALOMMA_API_KEY": "..."}`) or the short field names the
 *   CDK stack templates (`{"apiKey": "..."}`, see SECRET_FIELD_ALIASES; unknown keys such as the stack's
 *   `_placeholder` are ignored). Values in the secret win over env variables; non-secret settings (base
 *   URL, tuning) may live in either. Loaded with Powertools parameters (`getSecret`, cached for `maxAge`).
 *   The webhook secrets may share that secret or live in the webhook secret (lib/config/webhooks.ts).
 *
 * Only the providers asked for are required, and everything is checked at start: a missing or malformed
 * value fails with a ConfigError naming the variable (and the secret it was read from), never its value.
 * Credentials are wrapped in `Secret` so that no log line, error or JSON dump can print them.
 */
import { inspect } from 'node:util';
import * as z from 'zod/mini';
import { PROVIDERS, type ProviderName, ProviderNameSchema } from '../customer/snapshot.ts';
import type { HttpTuning } from '../http/provider-http.ts';
import { ConfigError } from './env.ts';

/** A credential that prints as `[secret]` everywhere; `.reveal()` at the one place it is used. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
  [inspect.custom](): string {
    return '[secret]';
  }
}

interface BaseProviderConfig {
  /** As the adapter wants it: Palomma `…/v0`, Delos the origin (paths `/v2/…`), Mollie `…/v2`, Juspay the origin. */
  baseUrl: string;
  http: HttpTuning;
}

export interface PalommaConfig extends BaseProviderConfig {
  apiKey: Secret;
  /** HMAC key of the `X-Signature` webhook header. */
  webhookIntegrityKey: Secret | null;
}

export interface DelosConfig extends BaseProviderConfig {
  login: Secret;
  password: Secret;
  /** Delos documents no webhook signing: a token we register in the webhook URL and check on receipt. */
  webhookToken: Secret | null;
}

export interface MollieConfig extends BaseProviderConfig {
  apiKey: Secret;
  /** From the key prefix: `test_` or `live_`. */
  mode: 'test' | 'live';
  /** Next-gen webhooks' HMAC secret (`X-Mollie-Signature`); classic webhooks are unsigned. */
  webhookSecret: Secret | null;
}

export interface JuspayConfig extends BaseProviderConfig {
  apiKey: Secret;
  merchantId: string;
  /** Basic-auth credentials Juspay sends with webhooks. */
  webhookUsername: Secret | null;
  webhookPassword: Secret | null;
}

export interface ProviderConfigMap {
  palomma: PalommaConfig;
  delos: DelosConfig;
  mollie: MollieConfig;
  juspay: JuspayConfig;
}

/** The configured providers only. */
export type ProviderConfigs = { [P in ProviderName]?: ProviderConfigMap[P] };

/**
 * Per-process defaults. The token bucket is per process, so a stage's limit across N concurrent workers
 * is N × this: deployments set `<PROVIDER>_RATE_LIMIT_RPS` to the worker's share (infra/stages.ts).
 */
export const DEFAULT_HTTP_TUNING: Readonly<Record<ProviderName, HttpTuning>> = {
  palomma: {
    timeoutMs: 5000,
    totalBudgetMs: 20_000,
    retry: { limit: 3, backoffBaseMs: 250, maxBackoffMs: 4000, maxRetryAfterSeconds: 10 },
    rateLimit: { requestsPerSecond: 5, burst: 10 },
  },
  delos: {
    timeoutMs: 5000,
    totalBudgetMs: 20_000,
    retry: { limit: 3, backoffBaseMs: 250, maxBackoffMs: 4000, maxRetryAfterSeconds: 10 },
    rateLimit: { requestsPerSecond: 4, burst: 8 },
  },
  mollie: {
    timeoutMs: 5000,
    totalBudgetMs: 20_000,
    retry: { limit: 3, backoffBaseMs: 250, maxBackoffMs: 4000, maxRetryAfterSeconds: 10 },
    rateLimit: { requestsPerSecond: 10, burst: 20 },
  },
  juspay: {
    timeoutMs: 5000,
    totalBudgetMs: 20_000,
    retry: { limit: 3, backoffBaseMs: 250, maxBackoffMs: 4000, maxRetryAfterSeconds: 10 },
    rateLimit: { requestsPerSecond: 8, burst: 16 },
  },
};

type Env = Record<string, string | undefined>;
const prefixOf = (provider: ProviderName): string => provider.toUpperCase();

/** Variables (env or secret keys) each provider reads, besides `<P>_SECRET_ARN` and the tuning ones. */
export const PROVIDER_VARIABLES = {
  palomma: {
    required: ['PALOMMA_BASE_URL', 'PALOMMA_API_KEY'],
    webhook: ['PALOMMA_WEBHOOK_INTEGRITY_KEY'],
    optional: [],
  },
  delos: {
    required: ['DELOS_BASE_URL', 'DELOS_LOGIN', 'DELOS_PASSWORD'],
    webhook: ['DELOS_WEBHOOK_TOKEN'],
    optional: [],
  },
  mollie: {
    required: ['MOLLIE_BASE_URL', 'MOLLIE_API_KEY'],
    webhook: [],
    optional: ['MOLLIE_WEBHOOK_SECRET'],
  },
  juspay: {
    required: ['JUSPAY_BASE_URL', 'JUSPAY_API_KEY', 'JUSPAY_MERCHANT_ID'],
    webhook: ['JUSPAY_WEBHOOK_USERNAME', 'JUSPAY_WEBHOOK_PASSWORD'],
    optional: [],
  },
} as const satisfies Record<
  ProviderName,
  { required: readonly string[]; webhook: readonly string[]; optional: readonly string[] }
>;

/** Short secret field names (as infra/constructs/secrets.ts templates them) → the variable they stand for. */
export const SECRET_FIELD_ALIASES: Readonly<Record<ProviderName, Readonly<Record<string, string>>>> = {
  palomma: {
    baseUrl: 'PALOMMA_BASE_URL',
    apiKey: 'PALOMMA_API_KEY',
    integrityKey: 'PALOMMA_WEBHOOK_INTEGRITY_KEY',
    webhookIntegrityKey: 'PALOMMA_WEBHOOK_INTEGRITY_KEY',
  },
  delos: {
    baseUrl: 'DELOS_BASE_URL',
    login: 'DELOS_LOGIN',
    password: 'DELOS_PASSWORD',
    token: 'DELOS_WEBHOOK_TOKEN',
    webhookToken: 'DELOS_WEBHOOK_TOKEN',
  },
  mollie: {
    baseUrl: 'MOLLIE_BASE_URL',
    apiKey: 'MOLLIE_API_KEY',
    signingSecret: 'MOLLIE_WEBHOOK_SECRET',
    webhookSecret: 'MOLLIE_WEBHOOK_SECRET',
  },
  juspay: {
    baseUrl: 'JUSPAY_BASE_URL',
    apiKey: 'JUSPAY_API_KEY',
    merchantId: 'JUSPAY_MERCHANT_ID',
    username: 'JUSPAY_WEBHOOK_USERNAME',
    webhookUsername: 'JUSPAY_WEBHOOK_USERNAME',
    password: 'JUSPAY_WEBHOOK_PASSWORD',
    webhookPassword: 'JUSPAY_WEBHOOK_PASSWORD',
  },
};

/** Reads a provider's secret JSON; injectable so tests and the local runtime need no AWS. */
export type SecretLoader = (name: string) => Promise<unknown>;

export interface LoadProviderConfigsOptions {
  /** Providers to configure; default `ENABLED_PROVIDERS`, else every provider with a base URL or secret set. */
  providers?: readonly ProviderName[];
  /** The webhook function needs its provider's webhook secrets; other functions do not. */
  requireWebhookSecrets?: boolean;
  loadSecret?: SecretLoader;
  /** Cache of the Powertools secret provider (seconds). */
  secretMaxAgeSeconds?: number;
}

const SecretJsonSchema = z.record(z.string(), z.unknown());

async function powertoolsSecretLoader(maxAge: number): Promise<SecretLoader> {
  // Imported lazily: the AWS SDK client it pulls in is not needed locally.
  const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
  return (name) => getSecret(name, { transform: 'json', maxAge });
}

const url = z.pipe(
  z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  z.transform((value) => value.replace(/\/+$/, '')),
);
const text = z
  .string({ error: 'is required' })
  .check(z.trim(), z.minLength(1, { error: 'must not be empty' }));
const secret = z.pipe(
  text,
  z.transform((value) => new Secret(value)),
);
const optionalSecret = z.pipe(
  z.optional(z.string().check(z.trim())),
  z.transform((value) => (value ? new Secret(value) : null)),
);

function tuningSchema(provider: ProviderName) {
  const p = prefixOf(provider);
  const defaults = DEFAULT_HTTP_TUNING[provider];
  const int = (fallback: number, min = 0) =>
    z._default(z.coerce.number().check(z.int(), z.minimum(min)), fallback);
  return z.object({
    [`${p}_TIMEOUT_MS`]: int(defaults.timeoutMs, 1),
    [`${p}_TOTAL_BUDGET_MS`]: int(defaults.totalBudgetMs, 1),
    [`${p}_RETRY_LIMIT`]: z.pipe(int(defaults.retry.limit), z.number().check(z.maximum(10))),
    [`${p}_RETRY_BACKOFF_BASE_MS`]: int(defaults.retry.backoffBaseMs),
    [`${p}_RETRY_MAX_BACKOFF_MS`]: int(defaults.retry.maxBackoffMs),
    [`${p}_MAX_RETRY_AFTER_SECONDS`]: int(defaults.retry.maxRetryAfterSeconds),
    /** `0` or `off` disables the client-side limit. */
    [`${p}_RATE_LIMIT_RPS`]: z._default(
      z.union([z.literal('off'), z.coerce.number().check(z.minimum(0))]),
      defaults.rateLimit?.requestsPerSecond ?? 'off',
    ),
    [`${p}_RATE_LIMIT_BURST`]: int(defaults.rateLimit?.burst ?? 1, 1),
  });
}

function tuningFrom(provider: ProviderName, values: Record<string, unknown>): HttpTuning {
  const p = prefixOf(provider);
  const num = (key: string): number => {
    const value = values[`${p}_${key}`];
    if (typeof value !== 'number') throw new ConfigError(`Invalid configuration: ${p}_${key}: not a number`);
    return value;
  };
  const rps = values[`${p}_RATE_LIMIT_RPS`];
  return {
    timeoutMs: num('TIMEOUT_MS'),
    totalBudgetMs: num('TOTAL_BUDGET_MS'),
    retry: {
      limit: num('RETRY_LIMIT'),
      backoffBaseMs: num('RETRY_BACKOFF_BASE_MS'),
      maxBackoffMs: num('RETRY_MAX_BACKOFF_MS'),
      maxRetryAfterSeconds: num('MAX_RETRY_AFTER_SECONDS'),
    },
    rateLimit:
      typeof rps === 'number' && rps > 0 ? { requestsPerSecond: rps, burst: num('RATE_LIMIT_BURST') } : null,
  };
}

const webhookField = (required: boolean) => (required ? secret : optionalSecret);

function credentialSchema(provider: ProviderName, requireWebhookSecrets: boolean) {
  const webhook = webhookField(requireWebhookSecrets);
  switch (provider) {
    case 'palomma':
      return z.object({
        PALOMMA_BASE_URL: url,
        PALOMMA_API_KEY: secret,
        PALOMMA_WEBHOOK_INTEGRITY_KEY: webhook,
      });
    case 'delos':
      return z.object({
        DELOS_BASE_URL: url,
        DELOS_LOGIN: secret,
        DELOS_PASSWORD: secret,
        DELOS_WEBHOOK_TOKEN: webhook,
      });
    case 'mollie':
      return z.object({
        MOLLIE_BASE_URL: url,
        MOLLIE_API_KEY: z.pipe(
          text.check(
            z.regex(/^(test|live)_\S+$/, { error: 'must be a Mollie API key starting with test_ or live_' }),
          ),
          z.transform((value) => new Secret(value)),
        ),
        MOLLIE_WEBHOOK_SECRET: optionalSecret,
      });
    case 'juspay':
      return z.object({
        JUSPAY_BASE_URL: url,
        JUSPAY_API_KEY: secret,
        JUSPAY_MERCHANT_ID: text,
        JUSPAY_WEBHOOK_USERNAME: webhook,
        JUSPAY_WEBHOOK_PASSWORD: webhook,
      });
  }
}

function fail(provider: ProviderName, issues: z.core.$ZodIssue[], secretName: string | undefined): never {
  const from = secretName ? ` (env or secret ${prefixOf(provider)}_SECRET_ARN)` : '';
  const problems = issues.map((issue) => `${issue.path.join('.')}${from}: ${issue.message}`);
  throw new ConfigError(`Invalid ${provider} configuration: ${problems.join('; ')}`);
}

async function readSecret(
  provider: ProviderName,
  name: string,
  load: SecretLoader,
): Promise<Record<string, string>> {
  const variable = `${prefixOf(provider)}_SECRET_ARN`;
  let raw: unknown;
  try {
    raw = await load(name);
  } catch (error) {
    // The SDK's message names the ARN at most; the cause is kept for operators, not printed here.
    throw new ConfigError(`Invalid configuration: ${variable}: the secret could not be read`, {
      cause: error,
    });
  }
  const parsed = SecretJsonSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: ${variable}: the secret is not a JSON object`);
  }
  const prefix = `${prefixOf(provider)}_`;
  const aliases = SECRET_FIELD_ALIASES[provider];
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed.data)) {
    const name = aliases[key] ?? (key.startsWith(prefix) ? key : undefined);
    if (name === undefined) continue;
    // An empty field (a freshly deployed secret) must not hide a value set in env.
    if (typeof value === 'string') {
      if (value.trim() !== '') values[name] = value;
    } else if (typeof value === 'number') values[name] = String(value);
    else throw new ConfigError(`Invalid configuration: ${name} (secret ${variable}): must be a string`);
  }
  return values;
}

async function loadOne<P extends ProviderName>(
  provider: P,
  env: Env,
  requireWebhookSecrets: boolean,
  getLoader: () => Promise<SecretLoader>,
): Promise<ProviderConfigMap[P]>;
async function loadOne(
  provider: ProviderName,
  env: Env,
  requireWebhookSecrets: boolean,
  getLoader: () => Promise<SecretLoader>,
): Promise<ProviderConfigMap[ProviderName]> {
  const secretName = env[`${prefixOf(provider)}_SECRET_ARN`]?.trim() || undefined;
  const fromSecret = secretName ? await readSecret(provider, secretName, await getLoader()) : {};
  // An empty variable means "not set" (z.coerce.number would read it as 0).
  const values: Env = Object.fromEntries(
    Object.entries({ ...env, ...fromSecret }).filter(
      ([, value]) => value !== undefined && value.trim() !== '',
    ),
  );

  const tuning = tuningSchema(provider).safeParse(values);
  if (!tuning.success) fail(provider, tuning.error.issues, undefined);
  const http = tuningFrom(provider, tuning.data);

  const parsed = credentialSchema(provider, requireWebhookSecrets).safeParse(values);
  if (!parsed.success) fail(provider, parsed.error.issues, secretName);
  const c = parsed.data;
  if ('PALOMMA_API_KEY' in c) {
    return {
      baseUrl: c.PALOMMA_BASE_URL,
      http,
      apiKey: c.PALOMMA_API_KEY,
      webhookIntegrityKey: c.PALOMMA_WEBHOOK_INTEGRITY_KEY,
    };
  }
  if ('DELOS_LOGIN' in c) {
    return {
      baseUrl: c.DELOS_BASE_URL,
      http,
      login: c.DELOS_LOGIN,
      password: c.DELOS_PASSWORD,
      webhookToken: c.DELOS_WEBHOOK_TOKEN,
    };
  }
  if ('MOLLIE_API_KEY' in c) {
    return {
      baseUrl: c.MOLLIE_BASE_URL,
      http,
      apiKey: c.MOLLIE_API_KEY,
      mode: c.MOLLIE_API_KEY.reveal().startsWith('live_') ? 'live' : 'test',
      webhookSecret: c.MOLLIE_WEBHOOK_SECRET,
    };
  }
  return {
    baseUrl: c.JUSPAY_BASE_URL,
    http,
    apiKey: c.JUSPAY_API_KEY,
    merchantId: c.JUSPAY_MERCHANT_ID,
    webhookUsername: c.JUSPAY_WEBHOOK_USERNAME,
    webhookPassword: c.JUSPAY_WEBHOOK_PASSWORD,
  };
}

const ProviderListSchema = z.pipe(
  z.pipe(
    z.string(),
    z.transform((value) =>
      value
        .split(',')
        .map((item) => item.trim().toLowerCase())
        .filter((item) => item !== ''),
    ),
  ),
  z.array(ProviderNameSchema),
);

function selectedProviders(
  env: Env,
  providers: readonly ProviderName[] | undefined,
): readonly ProviderName[] {
  if (providers) return providers;
  const listed = env.ENABLED_PROVIDERS;
  if (listed !== undefined && listed.trim() !== '') {
    const parsed = ProviderListSchema.safeParse(listed);
    if (!parsed.success) {
      throw new ConfigError(`Invalid configuration: ENABLED_PROVIDERS: must list of ${PROVIDERS.join(', ')}`);
    }
    return parsed.data;
  }
  return PROVIDERS.filter((provider) => {
    const p = prefixOf(provider);
    return Boolean(env[`${p}_BASE_URL`] || env[`${p}_SECRET_ARN`]);
  });
}

/**
 * Loads and checks the configuration of the given providers. Env is passed in (only lib/config reads
 * process.env: callers use `processEnv()`), so tests build their own.
 */
export async function loadProviderConfigs(
  env: Env,
  options: LoadProviderConfigsOptions = {},
): Promise<ProviderConfigs> {
  const providers = selectedProviders(env, options.providers);
  let loader: SecretLoader | undefined = options.loadSecret;
  const getLoader = async () => {
    loader ??= await powertoolsSecretLoader(options.secretMaxAgeSeconds ?? 300);
    return loader;
  };
  const requireWebhookSecrets = options.requireWebhookSecrets ?? false;
  const configs: ProviderConfigs = {};
  const problems: string[] = [];
  for (const provider of providers) {
    try {
      await assign(configs, provider, env, requireWebhookSecrets, getLoader);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  return configs;
}

async function assign<P extends ProviderName>(
  configs: ProviderConfigs,
  provider: P,
  env: Env,
  requireWebhookSecrets: boolean,
  getLoader: () => Promise<SecretLoader>,
): Promise<void> {
  const config: ProviderConfigs[P] = await loadOne(provider, env, requireWebhookSecrets, getLoader);
  configs[provider] = config;
}
