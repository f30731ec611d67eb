import {
  LOCAL_API_URL,
  loadCliApiConfig,
  loadCliProviderEnv,
  loadCliSyncConfig,
  readLocalStack,
} from '../../../lib/config/cli.ts';
import { ConfigError } from '../../../lib/config/env.ts';

const STACK = {
  pid: 4242,
  apiUrl: 'http://127.0.0.1:3999',
  dynamoDbEndpoint: 'http://127.0.0.1:8001',
  tableName: 'customer-sync-local',
  region: 'eu-west-1',
  sandboxes: { mollie: 'http://127.0.0.1:4103/v2', delos: 'http://127.0.0.1:4102' },
};

/** Files by absolute path; everything else does not exist. */
const files =
  (entries: Record<string, string>) =>
  (path: string): string | null =>
    entries[path] ?? null;
const alive = () => true;

describe('readLocalStack', () => {
  it('reads <LOCAL_DATA_DIR>/stack.json of a live process', () => {
    const readFile = files({ '/p/.local/stack.json': JSON.stringify(STACK) });
    expect(readLocalStack({}, { cwd: '/p', readFile, isAlive: alive })).toEqual(STACK);
    expect(readLocalStack({ LOCAL_DATA_DIR: '/data' }, { cwd: '/p', readFile, isAlive: alive })).toBeNull();
  });

  it('ignores the file of a dead process and a malformed file', () => {
    expect(
      readLocalStack(
        {},
        {
          cwd: '/p',
          readFile: files({ '/p/.local/stack.json': JSON.stringify(STACK) }),
          isAlive: () => false,
        },
      ),
    ).toBeNull();
    expect(
      readLocalStack(
        {},
        { cwd: '/p', readFile: files({ '/p/.local/stack.json': '{"pid":' }), isAlive: alive },
      ),
    ).toBeNull();
    expect(
      readLocalStack(
        {},
        { cwd: '/p', readFile: files({ '/p/.local/stack.json': '{"pid":1}' }), isAlive: alive },
      ),
    ).toBeNull();
  });
});

describe('loadCliApiConfig', () => {
  it('defaults to the running local stack and the key the local runtime wrote', () => {
    const readFile = files({
      '/p/.local/stack.json': JSON.stringify(STACK),
      '/p/.local/api-key': 'local-key\n',
    });
    expect(loadCliApiConfig({}, { cwd: '/p', readFile, isAlive: alive })).toEqual({
      apiUrl: 'http://127.0.0.1:3999',
      apiKey: 'local-key',
      timeoutMs: 30_000,
    });
  });

  it('falls back to http://127.0.0.1:3000 without a running stack', () => {
    const config = loadCliApiConfig(
      {},
      { cwd: '/p', readFile: files({ '/p/.local/api-key': 'k' }), isAlive: alive },
    );
    expect(config.apiUrl).toBe(LOCAL_API_URL);
  });

  it('prefers the environment, trims a trailing slash, and treats empty variables as unset', () => {
    const config = loadCliApiConfig(
      {
        CUSTOMER_SYNC_API_URL: 'https://api.example.com/prod/',
        CUSTOMER_SYNC_API_KEY: 'k1',
        CUSTOMER_SYNC_API_TIMEOUT_MS: '',
      },
      { readFile: files({}) },
    );
    expect(config).toEqual({ apiUrl: 'https://api.example.com/prod', apiKey: 'k1', timeoutMs: 30_000 });
  });

  it('never reads the local key file for a remote URL', () => {
    const readFile = (path: string) => {
      if (path.endsWith('api-key')) throw new Error('must not read the local key for a remote stage');
      return null;
    };
    expect(() =>
      loadCliApiConfig({ CUSTOMER_SYNC_API_URL: 'https://api.example.com' }, { readFile }),
    ).toThrow(/CUSTOMER_SYNC_API_KEY: required for a non-local/);
  });

  it('explains a missing local key and rejects a malformed URL without echoing values', () => {
    expect(() => loadCliApiConfig({}, { readFile: files({}) })).toThrow(/is `npm start` running/);
    try {
      loadCliApiConfig(
        { CUSTOMER_SYNC_API_URL: 'not a url', CUSTOMER_SYNC_API_KEY: 'secret-value' },
        { readFile: files({}) },
      );
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('CUSTOMER_SYNC_API_URL');
      expect((error as Error).message).not.toContain('secret-value');
    }
  });
});

describe('loadCliProviderEnv', () => {
  const readFile = files({ '/p/.local/stack.json': JSON.stringify(STACK) });

  it("fills in the running stack's sandboxes for providers the env does not configure", () => {
    const env = loadCliProviderEnv(
      { MOLLIE_BASE_URL: 'https://api.mollie.com/v2', MOLLIE_API_KEY: 'live_x' },
      {
        cwd: '/p',
        readFile,
        isAlive: alive,
      },
    );
    expect(env.MOLLIE_BASE_URL).toBe('https://api.mollie.com/v2');
    expect(env.MOLLIE_API_KEY).toBe('live_x');
    expect(env.DELOS_BASE_URL).toBe('http://127.0.0.1:4102');
    expect(env.DELOS_LOGIN).toEqual(expect.any(String));
    expect(env.PALOMMA_BASE_URL).toBeUndefined();
  });

  it('leaves a provider with a secret ARN alone, and everything alone without a stack', () => {
    const env = loadCliProviderEnv(
      { DELOS_SECRET_ARN: 'arn:aws:secretsmanager:x' },
      { cwd: '/p', readFile, isAlive: alive },
    );
    expect(env.DELOS_BASE_URL).toBeUndefined();
    expect(loadCliProviderEnv({ A: '1' }, { cwd: '/p', readFile: files({}) })).toEqual({ A: '1' });
  });
});

describe('loadCliSyncConfig', () => {
  it("uses the local stack's DynamoDB for the local stage", () => {
    const { runtime } = loadCliSyncConfig(
      {},
      { cwd: '/p', readFile: files({ '/p/.local/stack.json': JSON.stringify(STACK) }), isAlive: alive },
    );
    expect(runtime.store).toMatchObject({
      endpoint: 'http://127.0.0.1:8001',
      tableName: 'customer-sync-local',
      region: 'eu-west-1',
    });
  });

  it('uses the environment for a deployed stage and never guesses an endpoint', () => {
    const { runtime } = loadCliSyncConfig(
      { STAGE: 'prod', TABLE_NAME: 'customer-sync-prod', AWS_REGION: 'eu-west-1' },
      { readFile: files({}) },
    );
    expect(runtime.store).toMatchObject({
      endpoint: undefined,
      tableName: 'customer-sync-prod',
      region: 'eu-west-1',
    });
    expect(runtime.stage).toBe('prod');
  });

  it('refuses the local stage with neither DYNAMODB_ENDPOINT nor a running stack', () => {
    expect(() => loadCliSyncConfig({}, { readFile: files({}) })).toThrow(ConfigError);
    const { runtime } = loadCliSyncConfig(
      { DYNAMODB_ENDPOINT: 'http://127.0.0.1:9000' },
      { readFile: files({}) },
    );
    expect(runtime.store.endpoint).toBe('http://127.0.0.1:9000');
  });
});
