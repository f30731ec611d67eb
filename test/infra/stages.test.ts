import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../../infra/build-app.ts';
import {
  enabledProviders,
  intervalSeconds,
  perWorkerRateLimit,
  rateExpression,
  resolveDeployEnvironment,
  STAGE_NAMES,
  STAGES,
  stageConfig,
} from '../../infra/stages.ts';
import { PROVIDERS } from '../../lib/customer/snapshot.ts';

const LOG_RETENTIONS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

describe('stageConfig', () => {
  it('returns the config of each known stage', () => {
    for (const name of STAGE_NAMES) expect(stageConfig(name).name).toBe(name);
    expect(STAGE_NAMES).toEqual(expect.arrayContaining(['local', 'dev', 'staging', 'prod']));
  });

  it('throws naming the valid stages for an unknown one', () => {
    expect(() => stageConfig('qa')).toThrow('Unknown stage "qa": valid stages are local, dev, staging, prod');
  });

  it('keeps every stage deployable as configured: caps, retention, limits', () => {
    for (const stage of Object.values(STAGES)) {
      expect(LOG_RETENTIONS).toContain(stage.logRetentionDays);
      expect(stage.sync.dlqMaxReceiveCount).toBeGreaterThanOrEqual(1);
      expect(stage.sync.workerBatchSize).toBeLessThanOrEqual(10);
      expect(stage.historyRetentionDays).toBeGreaterThan(0);
      for (const provider of PROVIDERS) {
        const config = stage.providers[provider];
        // The SQS event source's maximum concurrency cannot go below 2.
        expect(config.workerMaxConcurrency).toBeGreaterThanOrEqual(2);
        expect(intervalSeconds(config.syncEvery)).toBeGreaterThanOrEqual(60);
        // A link is due no more often than the scheduler looks for due links.
        expect(intervalSeconds(config.refreshEvery)).toBeGreaterThanOrEqual(
          intervalSeconds(config.syncEvery),
        );
        expect(new URL(config.baseUrl).protocol).toBe(stage.name === 'local' ? 'http:' : 'https:');
      }
      expect(enabledProviders(stage).length).toBeGreaterThan(0);
    }
  });

  it('schedules local every minute, dev every 15 minutes and prod every 5, backfilling daily where listed', () => {
    expect(rateExpression(STAGES.local.providers.mollie.syncEvery)).toBe('rate(1 minute)');
    expect(rateExpression(STAGES.dev.providers.mollie.syncEvery)).toBe('rate(15 minutes)');
    expect(rateExpression(STAGES.prod.providers.mollie.syncEvery)).toBe('rate(5 minutes)');
    expect(STAGES.prod.providers.mollie.backfillEvery).toEqual({ value: 1, unit: 'days' });
    // The local runtime times its due runs by the refresh interval: locally the two must be equal.
    for (const provider of PROVIDERS) {
      expect(STAGES.local.providers[provider].refreshEvery).toEqual(
        STAGES.local.providers[provider].syncEvery,
      );
    }
    expect(rateExpression({ value: 1, unit: 'days' })).toBe('rate(1 day)');
    expect(STAGES.prod.providers.delos.backfillEvery).toBeNull();
  });

  it('retains and protects only prod', () => {
    expect(STAGES.prod.removalPolicy).toBe('retain');
    expect(STAGES.dev.removalPolicy).toBe('destroy');
  });
});

describe('perWorkerRateLimit', () => {
  it('splits the stage-wide budget evenly over the worker concurrency cap', () => {
    const share = perWorkerRateLimit({
      ...STAGES.prod.providers.mollie,
      rateLimit: { requestsPerSecond: 10, burst: 20 },
      workerMaxConcurrency: 4,
    });
    expect(share).toEqual({ requestsPerSecond: 2.5, burst: 5 });
  });
});

describe('resolveDeployEnvironment', () => {
  it('prefers -c context, then the stage, then CDK_DEFAULT_*', () => {
    const stage = { ...STAGES.prod, account: null, region: 'eu-west-1' };
    const env = { CDK_DEFAULT_ACCOUNT: '111111111111', CDK_DEFAULT_REGION: 'us-east-2' };
    expect(resolveDeployEnvironment(stage, { context: {}, env })).toEqual({
      account: '111111111111',
      region: 'eu-west-1',
    });
    expect(
      resolveDeployEnvironment(stage, { context: { account: '222222222222', region: 'sa-east-1' }, env }),
    ).toEqual({ account: '222222222222', region: 'sa-east-1' });
    expect(resolveDeployEnvironment({ ...stage, region: null }, { context: {}, env: {} })).toEqual({
      account: undefined,
      region: undefined,
    });
  });
});

describe('infra/stages.ts', () => {
  it('imports nothing from aws-cdk-lib, so the local runtime can load it cheaply', () => {
    const source = readFileSync(fileURLToPath(new URL('../../infra/stages.ts', import.meta.url)), 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1]);
    expect(imports).toEqual(['../lib/customer/snapshot.ts']);
  });
});

describe('buildApp', () => {
  it('refuses the local stage and a missing stage before building anything', () => {
    expect(() => buildApp({ stage: 'local' })).toThrow('runs on this machine');
    expect(() => buildApp({})).toThrow('pass -c stage=<name>');
    expect(() => buildApp({ stage: 'qa' })).toThrow('valid stages are local, dev, staging, prod');
  });
});
