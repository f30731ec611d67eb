import { type Interval, intervalSeconds, STAGES } from '../../../infra/stages.ts';
import { ConfigError } from '../../../lib/config/env.ts';
import { loadRuntimeConfig, queueUrlFor } from '../../../lib/config/runtime.ts';
import { cachedWebhookSecrets, loadWebhookSecrets } from '../../../lib/config/webhooks.ts';
import { createRuntimeSchedule } from '../../../lib/sync/runtime-deps.ts';

const hours = (value: number): Interval => ({ value, unit: 'hours' });
const days = (value: number): Interval => ({ value, unit: 'days' });

describe('loadRuntimeConfig', () => {
  it('takes each provider’s own queue URL and falls back to SYNC_QUEUE_URL', () => {
    const config = loadRuntimeConfig({
      SYNC_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/shared',
      SYNC_QUEUE_URL_MOLLIE: 'https://sqs.eu-west-1.amazonaws.com/1/mollie',
    });
    expect(queueUrlFor(config, 'mollie')).toBe('https://sqs.eu-west-1.amazonaws.com/1/mollie');
    expect(queueUrlFor(config, 'delos')).toBe('https://sqs.eu-west-1.amazonaws.com/1/shared');
  });

  it('names the missing queue variable', () => {
    const config = loadRuntimeConfig({
      SYNC_QUEUE_URL_MOLLIE: 'https://sqs.eu-west-1.amazonaws.com/1/mollie',
    });
    expect(() => queueUrlFor(config, 'juspay')).toThrow(/SYNC_QUEUE_URL_JUSPAY/);
  });

  it('takes sync intervals from the stage, overridable per provider', () => {
    const config = loadRuntimeConfig({ STAGE: 'prod', SYNC_INTERVAL_SECONDS_DELOS: '120' });
    expect(config.sync.intervalSeconds.mollie).toBe(
      intervalSeconds(STAGES.prod.providers.mollie.refreshEvery),
    );
    expect(config.sync.intervalSeconds.delos).toBe(120);
    // prod has Delos disabled until its host is known.
    expect(config.enabledProviders).toEqual(['palomma', 'mollie', 'juspay']);
  });

  it("takes a link's refresh interval from refreshEvery, not from how often the scheduler runs", () => {
    const mollie = { ...STAGES.prod.providers.mollie, syncEvery: hours(1), refreshEvery: days(1) };
    const stages = { ...STAGES, prod: { ...STAGES.prod, providers: { ...STAGES.prod.providers, mollie } } };
    const config = loadRuntimeConfig({ STAGE: 'prod' }, stages);
    expect(config.sync.intervalSeconds.mollie).toBe(86_400);
    expect(config.sync.dueRunSeconds.mollie).toBe(3600);
    // So the deployed functions put mollie's links on slots; the local runtime (no slots) does not.
    const now = new Date('2024-06-01T12:00:00.000Z');
    expect(createRuntimeSchedule(config).dueSlots('mollie', now)).not.toBeNull();
    expect(createRuntimeSchedule(config).dueSlots('palomma', now)).toBeNull();
    expect(createRuntimeSchedule(config, { slots: false }).dueSlots('mollie', now)).toBeNull();
  });

  it('reads the worker provider and enabled providers, and fails fast naming bad variables', () => {
    const config = loadRuntimeConfig({ PROVIDER: 'delos', ENABLED_PROVIDERS: 'delos, mollie' });
    expect(config.workerProvider).toBe('delos');
    expect(config.enabledProviders).toEqual(['delos', 'mollie']);
    expect(() => loadRuntimeConfig({ PROVIDER: 'stripe' })).toThrow(ConfigError);
    expect(() => loadRuntimeConfig({ SYNC_QUEUE_URL: 'not a url' })).toThrow(/SYNC_QUEUE_URL/);
  });
});

describe('loadWebhookSecrets', () => {
  it('reads local secrets from env and leaves unconfigured providers out', async () => {
    const secrets = await loadWebhookSecrets({
      PALOMMA_WEBHOOK_INTEGRITY_KEY: 'pk',
      JUSPAY_WEBHOOK_USERNAME: 'u',
      JUSPAY_WEBHOOK_PASSWORD: 'p',
    });
    expect(secrets.palomma?.integrityKey.reveal()).toBe('pk');
    expect(secrets.juspay?.password.reveal()).toBe('p');
    expect(secrets.mollie).toBeUndefined();
    expect(secrets.delos).toBeUndefined();
    // Secrets never print.
    expect(JSON.stringify(secrets)).not.toContain('pk');
  });

  it('reads Secrets Manager JSON by <PROVIDER>_WEBHOOK_SECRET_ARN', async () => {
    const asked: string[] = [];
    const secrets = await loadWebhookSecrets(
      { MOLLIE_WEBHOOK_SECRET_ARN: 'arn:mollie', DELOS_WEBHOOK_SECRET_ARN: 'arn:delos' },
      {
        loadSecret: async (arn) => {
          asked.push(arn);
          return arn === 'arn:mollie' ? { signingSecret: 'ms' } : { token: 'dt' };
        },
      },
    );
    expect(asked.sort()).toEqual(['arn:delos', 'arn:mollie']);
    expect(secrets.mollie?.signingSecret.reveal()).toBe('ms');
    expect(secrets.delos?.token.reveal()).toBe('dt');
  });

  it('fails naming the field, never the value, when half a credential is set', async () => {
    await expect(loadWebhookSecrets({ JUSPAY_WEBHOOK_USERNAME: 'only-user' })).rejects.toThrow(
      /juspay.*password/,
    );
    await expect(
      loadWebhookSecrets(
        { MOLLIE_WEBHOOK_SECRET_ARN: 'arn:x' },
        { loadSecret: async () => ({ wrong: 'field' }) },
      ),
    ).rejects.toThrow(/signingSecret/);
  });

  it('re-reads secrets only after their cache age', async () => {
    let reads = 0;
    const get = cachedWebhookSecrets(
      { DELOS_WEBHOOK_SECRET_ARN: 'arn:delos' },
      {
        maxAgeSeconds: 300,
        loadSecret: async () => {
          reads++;
          return { token: `t${reads}` };
        },
      },
    );
    expect((await get()).delos?.token.reveal()).toBe('t1');
    expect((await get()).delos?.token.reveal()).toBe('t1');
    expect(reads).toBe(1);
  });
});
