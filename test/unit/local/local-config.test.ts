import { ConfigError } from '../../../lib/config/env.ts';
import { loadLocalConfig } from '../../../lib/config/local.ts';

describe('loadLocalConfig', () => {
  it('works on an empty environment with the documented defaults', () => {
    const config = loadLocalConfig({}, '/repo');
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      apiKey: null,
      dataDir: '/repo/.local',
      seed: 5,
      syncIntervalSeconds: null,
      handlerLogs: 'file',
      backfill: true,
      dynamoDbEndpoint: null,
      externalProviders: [],
    });
  });

  it('reads overrides, treats empty variables as unset, and notes providers pointed elsewhere', () => {
    const config = loadLocalConfig(
      {
        PORT: '0',
        LOCAL_DATA_DIR: '/tmp/x',
        LOCAL_BACKFILL: 'false',
        LOCAL_HANDLER_LOGS: 'silent',
        LOCAL_SYNC_INTERVAL_SECONDS: '5',
        DYNAMODB_ENDPOINT: 'http://127.0.0.1:8001',
        MOLLIE_BASE_URL: 'https://api.mollie.com/v2',
        LOCAL_API_KEY: '',
      },
      '/repo',
    );
    expect(config).toMatchObject({
      port: 0,
      dataDir: '/tmp/x',
      backfill: false,
      handlerLogs: 'silent',
      syncIntervalSeconds: 5,
      dynamoDbEndpoint: 'http://127.0.0.1:8001',
      externalProviders: ['mollie'],
      apiKey: null,
    });
  });

  it('fails naming the variable, never echoing its value', () => {
    expect(() => loadLocalConfig({ LOCAL_API_KEY: 'short' })).toThrow(ConfigError);
    let message = '';
    try {
      loadLocalConfig({ LOCAL_API_KEY: 'short', PORT: '70000' });
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/LOCAL_API_KEY/);
    expect(message).toMatch(/PORT/);
    expect(message).not.toContain('short');
  });
});
