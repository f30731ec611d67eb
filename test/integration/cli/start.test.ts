import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { testEndpoint } from '../../helpers/dynamodb.ts';
import { runCli, spawnCli } from './run-cli.ts';

describe('customer-sync start', () => {
  const suffix = `${process.pid}-${Date.now()}`;
  const tables = [`cli-start-${suffix}`, `cli-start-idem-${suffix}`];
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cli-start-'));
  });

  afterAll(async () => {
    const raw = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: testEndpoint(),
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await Promise.allSettled(tables.map((TableName) => raw.send(new DeleteTableCommand({ TableName }))));
    raw.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the stack until SIGINT, and the other commands find it without configuration', async () => {
    const dataDir = join(dir, '.local');
    const run = spawnCli(['start', '--json'], {
      env: {
        PORT: '0',
        LOCAL_DATA_DIR: dataDir,
        LOCAL_SEED: '0',
        LOCAL_BACKFILL: 'false',
        LOCAL_HANDLER_LOGS: 'silent',
        LOCAL_SYNC_INTERVAL_SECONDS: '3600',
        DYNAMODB_ENDPOINT: testEndpoint(),
        TABLE_NAME: tables[0] ?? '',
        IDEMPOTENCY_TABLE_NAME: tables[1] ?? '',
      },
    });
    let stdout = '';
    const up = await new Promise<{ apiUrl: string; apiKey: string; sandboxes: Record<string, string> }>(
      (resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the stack did not start in time')), 90_000);
        run.child.stdout?.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const line = stdout.split('\n')[0];
          if (stdout.includes('\n') && line) {
            clearTimeout(timer);
            resolve(JSON.parse(line));
          }
        });
        run.done.then((result) => reject(new Error(`start exited early: ${result.stderr}`)), reject);
      },
    );
    try {
      expect(up.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(Object.keys(up.sandboxes).sort()).toEqual(['delos', 'juspay', 'mollie', 'palomma']);
      expect(existsSync(join(dataDir, 'stack.json'))).toBe(true);

      // API URL and key from <LOCAL_DATA_DIR>: the API answers (404 for an unknown customer, not 403).
      const get = await runCli(['get', '01JD5N6ZB0W1S4Q6YF6S5C5V4N'], { env: { LOCAL_DATA_DIR: dataDir } });
      expect(get.code).toBe(1);
      expect(get.stderr).toMatch(/HTTP 404/);
      expect(get.stderr).not.toContain(up.apiKey);

      // Provider URLs and (sandbox) credentials from the same file.
      const provider = await runCli(['providers', 'get', 'mollie', 'cst_doesnotexist'], {
        env: { LOCAL_DATA_DIR: dataDir },
      });
      expect(provider.stderr).toMatch(/^ProviderNotFoundError: mollie getCustomer/);

      // The sync pass uses the stack's DynamoDB and table.
      const sync = await runCli(['sync', '--json'], { env: { LOCAL_DATA_DIR: dataDir } });
      expect(sync.code).toBe(0);
      expect(JSON.parse(sync.stdout)).toMatchObject({ interrupted: false });
    } finally {
      run.child.kill('SIGINT');
    }
    const stopped = await run.done;
    expect(stopped.code).toBe(0);
    expect(existsSync(join(dataDir, 'stack.json'))).toBe(false);
  }, 180_000);

  it('refuses to sync without a running stack or a DynamoDB endpoint', async () => {
    const result = await runCli(['sync'], { env: { LOCAL_DATA_DIR: join(dir, 'nothing-here') } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ConfigError: .*DYNAMODB_ENDPOINT: not set and no local stack is running/);
  }, 30_000);
});
