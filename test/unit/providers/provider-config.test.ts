import { inspect } from 'node:util';
import * as z from 'zod';
import { ConfigError } from '../../../lib/config/env.ts';
import { DEFAULT_HTTP_TUNING, loadProviderConfigs, Secret } from '../../../lib/config/providers.ts';
import { type LocalServer, sendJson, startLocalServer } from '../http/local-server.ts';

const LOCAL_ENV = {
  PALOMMA_BASE_URL: 'http://127.0.0.1:4101/v0/',
  PALOMMA_API_KEY: 'palomma-key-value-123',
  DELOS_BASE_URL: 'http://127.0.0.1:4102',
  DELOS_LOGIN: 'ops@merchant.test',
  DELOS_PASSWORD: 'delos-password-value',
  MOLLIE_BASE_URL: 'http://127.0.0.1:4103/v2',
  MOLLIE_API_KEY: 'test_mollieKeyValue1234567890',
  JUSPAY_BASE_URL: 'http://127.0.0.1:4104',
  JUSPAY_API_KEY: 'JUSPAYKEYVALUE0001',
  JUSPAY_MERCHANT_ID: 'merchant_1',
};

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('Secret', () => {
  it('never prints its value, however it is turned into text', () => {
    const secret = new Secret('hunter2-value');
    for (const text of [
      String(secret),
      `${secret}`,
      JSON.stringify({ secret }),
      inspect(secret),
      inspect({ nested: { secret } }, { depth: 5 }),
    ]) {
      expect(text).not.toContain('hunter2');
      expect(text).toContain('[secret]');
    }
    expect(secret.reveal()).toBe('hunter2-value');
  });
});

describe('loadProviderConfigs', () => {
  it('loads every requested provider from local env, with default tuning', async () => {
    const configs = await loadProviderConfigs(LOCAL_ENV, {
      providers: ['palomma', 'delos', 'mollie', 'juspay'],
    });
    expect(configs.palomma?.baseUrl).toBe('http://127.0.0.1:4101/v0');
    expect(configs.palomma?.apiKey.reveal()).toBe('palomma-key-value-123');
    expect(configs.palomma?.webhookIntegrityKey).toBeNull();
    expect(configs.delos?.password.reveal()).toBe('delos-password-value');
    expect(configs.mollie?.mode).toBe('test');
    expect(configs.juspay?.merchantId).toBe('merchant_1');
    expect(configs.juspay?.http).toEqual(DEFAULT_HTTP_TUNING.juspay);
  });

  it('requires only the providers asked for', async () => {
    const configs = await loadProviderConfigs(
      { MOLLIE_BASE_URL: 'https://api.mollie.com/v2', MOLLIE_API_KEY: 'live_abcdefghijkl' },
      { providers: ['mollie'] },
    );
    expect(Object.keys(configs)).toEqual(['mollie']);
    expect(configs.mollie?.mode).toBe('live');
  });

  it('defaults to ENABLED_PROVIDERS, else to the providers with a base URL or secret set', async () => {
    expect(
      Object.keys(await loadProviderConfigs({ ...LOCAL_ENV, ENABLED_PROVIDERS: 'juspay, palomma' })),
    ).toEqual(['juspay', 'palomma']);
    const { MOLLIE_BASE_URL: _m, JUSPAY_BASE_URL: _j, ...twoProviders } = LOCAL_ENV;
    expect(Object.keys(await loadProviderConfigs(twoProviders))).toEqual(['palomma', 'delos']);
  });

  it('names every missing or malformed variable, never its value', async () => {
    const error = await configError(
      loadProviderConfigs(
        {
          ...LOCAL_ENV,
          PALOMMA_BASE_URL: 'ftp://files.example.com',
          MOLLIE_API_KEY: 'sk_live_wrongprefix_value',
          JUSPAY_MERCHANT_ID: undefined,
          DELOS_RATE_LIMIT_RPS: 'fast',
        },
        { providers: ['palomma', 'delos', 'mollie', 'juspay'] },
      ),
    );
    expect(error.message).toContain('PALOMMA_BASE_URL');
    expect(error.message).toContain('MOLLIE_API_KEY');
    expect(error.message).toContain('test_ or live_');
    expect(error.message).toContain('JUSPAY_MERCHANT_ID');
    expect(error.message).toContain('DELOS_RATE_LIMIT_RPS');
    expect(error.message).not.toContain('sk_live_wrongprefix_value');
    expect(error.message).not.toContain('files.example.com');
    expect(error.message).not.toContain('palomma-key-value');
  });

  it('overrides HTTP tuning per provider from env, and turns the rate limit off', async () => {
    const configs = await loadProviderConfigs(
      {
        ...LOCAL_ENV,
        PALOMMA_TIMEOUT_MS: '1500',
        PALOMMA_TOTAL_BUDGET_MS: '9000',
        PALOMMA_RETRY_LIMIT: '5',
        PALOMMA_RETRY_BACKOFF_BASE_MS: '50',
        PALOMMA_RETRY_MAX_BACKOFF_MS: '800',
        PALOMMA_MAX_RETRY_AFTER_SECONDS: '3',
        PALOMMA_RATE_LIMIT_RPS: '2.5',
        PALOMMA_RATE_LIMIT_BURST: '4',
        MOLLIE_RATE_LIMIT_RPS: 'off',
        DELOS_RATE_LIMIT_RPS: '0',
        JUSPAY_TIMEOUT_MS: '',
      },
      { providers: ['palomma', 'delos', 'mollie', 'juspay'] },
    );
    expect(configs.palomma?.http).toEqual({
      timeoutMs: 1500,
      totalBudgetMs: 9000,
      retry: { limit: 5, backoffBaseMs: 50, maxBackoffMs: 800, maxRetryAfterSeconds: 3 },
      rateLimit: { requestsPerSecond: 2.5, burst: 4 },
    });
    expect(configs.mollie?.http.rateLimit).toBeNull();
    expect(configs.delos?.http.rateLimit).toBeNull();
    expect(configs.juspay?.http.timeoutMs).toBe(DEFAULT_HTTP_TUNING.juspay.timeoutMs);
  });

  it('requires the webhook secrets only when asked to', async () => {
    const error = await configError(
      loadProviderConfigs(LOCAL_ENV, { providers: ['juspay', 'mollie'], requireWebhookSecrets: true }),
    );
    expect(error.message).toContain('JUSPAY_WEBHOOK_USERNAME');
    expect(error.message).toContain('JUSPAY_WEBHOOK_PASSWORD');
    expect(error.message).not.toContain('MOLLIE_WEBHOOK_SECRET'); // optional even then

    const configs = await loadProviderConfigs(
      { ...LOCAL_ENV, JUSPAY_WEBHOOK_USERNAME: 'hook-user', JUSPAY_WEBHOOK_PASSWORD: 'hook-pass' },
      { providers: ['juspay'], requireWebhookSecrets: true },
    );
    expect(configs.juspay?.webhookPassword?.reveal()).toBe('hook-pass');
  });

  it('reads credentials from the provider secret named by <PROVIDER>_SECRET_ARN, over env', async () => {
    const names: string[] = [];
    const configs = await loadProviderConfigs(
      {
        DELOS_BASE_URL: 'https://stagep.tst-apidmndelss.com',
        DELOS_PASSWORD: 'stale-env-password',
        DELOS_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:delos-AbCdEf',
      },
      {
        providers: ['delos'],
        loadSecret: async (name) => {
          names.push(name);
          return {
            DELOS_LOGIN: 'ops@merchant.test',
            DELOS_PASSWORD: 'from-secret',
            DELOS_WEBHOOK_TOKEN: 'tok',
          };
        },
      },
    );
    expect(names).toEqual(['arn:aws:secretsmanager:us-east-1:123456789012:secret:delos-AbCdEf']);
    expect(configs.delos?.password.reveal()).toBe('from-secret');
    expect(configs.delos?.webhookToken?.reveal()).toBe('tok');
  });

  it('reads the short field names the CDK stack templates, ignoring its placeholder', async () => {
    const configs = await loadProviderConfigs(
      { JUSPAY_BASE_URL: 'https://api.juspay.in', JUSPAY_SECRET_ARN: 'customer-sync/prod/juspay' },
      {
        providers: ['juspay'],
        loadSecret: async () => ({
          apiKey: 'JPKEY000000001',
          merchantId: 'merchant_9',
          _placeholder: 'x1y2z3',
        }),
      },
    );
    expect(configs.juspay?.apiKey.reveal()).toBe('JPKEY000000001');
    expect(configs.juspay?.merchantId).toBe('merchant_9');
  });

  it('names the variable a freshly deployed (still empty) secret lacks', async () => {
    const error = await configError(
      loadProviderConfigs(
        {
          DELOS_BASE_URL: 'https://stagep.tst-apidmndelss.com',
          DELOS_SECRET_ARN: 'customer-sync/prod/delos',
        },
        { providers: ['delos'], loadSecret: async () => ({ login: '', password: '', _placeholder: 'abc' }) },
      ),
    );
    expect(error.message).toContain('DELOS_LOGIN (env or secret DELOS_SECRET_ARN)');
    expect(error.message).toContain('DELOS_PASSWORD (env or secret DELOS_SECRET_ARN)');
  });

  it('names the secret variable when the secret is unreadable or incomplete', async () => {
    const unreadable = await configError(
      loadProviderConfigs(
        { PALOMMA_BASE_URL: 'https://prod.api.palomma.com/v0', PALOMMA_SECRET_ARN: 'palomma' },
        {
          providers: ['palomma'],
          loadSecret: async () => {
            throw new Error('AccessDeniedException');
          },
        },
      ),
    );
    expect(unreadable.message).toBe(
      'Invalid configuration: PALOMMA_SECRET_ARN: the secret could not be read',
    );

    const incomplete = await configError(
      loadProviderConfigs(
        { PALOMMA_BASE_URL: 'https://prod.api.palomma.com/v0', PALOMMA_SECRET_ARN: 'palomma' },
        { providers: ['palomma'], loadSecret: async () => ({ PALOMMA_WEBHOOK_INTEGRITY_KEY: 'k' }) },
      ),
    );
    expect(incomplete.message).toContain('PALOMMA_API_KEY (env or secret PALOMMA_SECRET_ARN)');
  });

  describe('with Powertools getSecret against a local Secrets Manager endpoint', () => {
    let server: LocalServer;
    const saved = { ...process.env };
    beforeAll(async () => {
      server = await startLocalServer((request, res) => {
        const target = request.headers['x-amz-target'];
        const body = z.object({ SecretId: z.string() }).safeParse(JSON.parse(request.body));
        if (target !== 'secretsmanager.GetSecretValue' || body.data?.SecretId !== 'customer-sync/mollie') {
          sendJson(res, 400, { __type: 'ResourceNotFoundException', message: 'not found' });
          return;
        }
        sendJson(res, 200, {
          ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:customer-sync/mollie-AbCdEf',
          Name: 'customer-sync/mollie',
          SecretString: JSON.stringify({
            MOLLIE_API_KEY: 'live_fromSecretsManager0001',
            MOLLIE_WEBHOOK_SECRET: 'whsec',
          }),
          VersionId: 'v1',
        });
      });
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_SECRETS_MANAGER: server.url,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
        AWS_SECRET_ACCESS_KEY: 'local-test-secret',
      });
    });
    afterAll(async () => {
      process.env = saved;
      await server.close();
    });

    it('loads and caches the secret', async () => {
      const env = { MOLLIE_BASE_URL: 'https://api.mollie.com/v2', MOLLIE_SECRET_ARN: 'customer-sync/mollie' };
      const first = await loadProviderConfigs(env, { providers: ['mollie'] });
      const second = await loadProviderConfigs(env, { providers: ['mollie'] });
      expect(first.mollie?.apiKey.reveal()).toBe('live_fromSecretsManager0001');
      expect(first.mollie?.mode).toBe('live');
      expect(second.mollie?.webhookSecret?.reveal()).toBe('whsec');
      expect(server.requests).toHaveLength(1);
    });
  });
});
